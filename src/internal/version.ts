// The package's version, for the User-Agent and OpenTelemetry's instrumentation scope. Written by
// `npm version` (scripts/version.mjs, the "version" script); test/source/version.test.ts holds it to
// package.json, so a release can never send another version's name.
export const PACKAGE_VERSION = "0.1.0";
