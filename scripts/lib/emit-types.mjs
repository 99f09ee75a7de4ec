// @ts-check
// Compiles the merged document into TypeScript path definitions with openapi-typescript.
import openapiTS, { astToString } from "openapi-typescript";

/**
 * @param {import("openapi-typescript").OpenAPI3} spec the merged document
 * @returns {Promise<string>}
 */
export async function emitTypes(spec) {
  const ast = await openapiTS(structuredClone(spec), { silent: true });
  return astToString(ast);
}
