// The package's own package.json, read once, when first asked: the version the CLI and its MCP server
// report, and the MCP SDK's range a missing install names. One path, right from both src/cli and dist/cli.
import { createRequire } from "node:module";

interface PackageJson {
  version: string;
  peerDependencies?: Record<string, string>;
}

let read: PackageJson | undefined;

export function packageJson(): PackageJson {
  read ??= createRequire(import.meta.url)("../../package.json") as PackageJson;
  return read;
}
