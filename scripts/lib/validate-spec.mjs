// @ts-check
// Validates the merged document with Redocly's OpenAPI linter (a dependency of openapi-typescript).
import { createConfig, lintFromString } from "@redocly/openapi-core";

/**
 * @param {string} source the merged spec as JSON text
 * @returns {Promise<{ errors: string[], warnings: string[] }>}
 */
export async function validateSpec(source, absoluteRef = "enable3.openapi.json") {
  const config = await createConfig({
    extends: ["recommended"],
    rules: {
      // The published path is "/api/v1/segment/users/" (trailing slash as published), kept as is.
      "no-path-trailing-slash": "off",
      // Callback payload schema is a component on purpose: no operation references it.
      "no-unused-components": "off",
      // The vendor publishes no license for its API description.
      "info-license": "off",
    },
  });
  const problems = await lintFromString({ source, absoluteRef, config });
  const describe = (/** @type {(typeof problems)[number]} */ p) => `${p.ruleId}: ${p.message} (${p.location?.[0]?.pointer ?? "?"})`;
  return {
    errors: problems.filter((p) => p.severity === "error").map(describe),
    warnings: problems.filter((p) => p.severity === "warn").map(describe),
  };
}
