// @ts-check
// Merges OpenAPI fragments into one document. Pure: takes parsed fragments, returns a document or
// throws SpecConflictError naming both files. Never renames anything to make a conflict go away.
import { isDeepStrictEqual } from "node:util";

/** The file whose name starts with "_" holds the one `info`, `servers` and global `security`. */
export const BASE_PREFIX = "_";
const API_KEY_HEADER = "x-api-key";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** @typedef {Record<string, any>} Json an OpenAPI document or part of one: plain JSON */

export class SpecConflictError extends Error {
  /** @override */
  name = "SpecConflictError";
}

/**
 * @param {{ file: string, doc: any }[]} fragments in any order; the result does not depend on it
 * @returns {any} the merged document, keys sorted so equal input gives equal bytes
 */
export function mergeFragments(fragments) {
  const sorted = [...fragments].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const bases = sorted.filter((f) => (basename(f.file) ?? "").startsWith(BASE_PREFIX));
  if (bases.length !== 1) {
    throw new SpecConflictError(
      `expected exactly one base fragment (a file named "${BASE_PREFIX}*.json"), found ${bases.length}: ${bases.map((b) => b.file).join(", ") || "none"}`,
    );
  }
  const base = /** @type {{ file: string, doc: any }} */ (bases[0]);
  /** @type {Json} */
  const merged = {
    openapi: base.doc.openapi,
    info: base.doc.info,
    servers: base.doc.servers,
    security: base.doc.security,
    paths: {},
    components: {},
  };
  /** @type {Map<string, string>} */
  const origin = new Map(); // "paths./x.get" or "components.schemas.X" or "operationId:foo" -> file

  for (const { file, doc } of sorted) {
    if (doc.openapi !== base.doc.openapi) {
      throw new SpecConflictError(`${file} is OpenAPI ${doc.openapi} but ${base.file} is ${base.doc.openapi}`);
    }
    if (file !== base.file) checkSameServers(base, { file, doc });
    if (doc.security !== undefined && !isDeepStrictEqual(doc.security, base.doc.security)) {
      throw new SpecConflictError(`${file} declares a global security requirement that differs from ${base.file}`);
    }
    for (const [path, item] of Object.entries(doc.paths ?? {})) mergePathItem(merged, origin, file, path, item);
    for (const [section, entries] of Object.entries(/** @type {Json} */ (doc.components ?? {}))) {
      for (const [name, value] of Object.entries(/** @type {Json} */ (entries ?? {}))) {
        const key = `components.${section}.${name}`;
        merged.components[section] ??= {};
        const existing = merged.components[section][name];
        if (existing !== undefined && !isDeepStrictEqual(existing, value)) {
          throw new SpecConflictError(`conflict: ${key} is defined differently in ${origin.get(key)} and ${file}`);
        }
        if (existing === undefined) origin.set(key, file);
        merged.components[section][name] = value;
      }
    }
  }
  applyExamples(merged, sorted);
  applyFormats(merged, sorted);
  return sortDocument(merged);
}

/**
 * `x-enable3-examples` maps a component schema to an example the mock API serves. Kept apart from
 * the verbatim fragments so they stay verbatim; an example for a missing schema, or two for one, fails.
 */
/**
 * @param {Json} merged
 * @param {{ file: string, doc: any }[]} fragments
 */
function applyExamples(merged, fragments) {
  /** @type {Map<string, string>} */
  const source = new Map();
  for (const { file, doc } of fragments) {
    for (const [name, example] of Object.entries(doc["x-enable3-examples"] ?? {})) {
      const schema = merged.components.schemas?.[name];
      if (!schema) throw new SpecConflictError(`${file} gives an example for components.schemas.${name}, which no fragment defines`);
      if (source.has(name) || schema.example !== undefined) {
        throw new SpecConflictError(
          `conflict: components.schemas.${name} gets an example from ${source.get(name) ?? "its own definition"} and ${file}`,
        );
      }
      source.set(name, file);
      merged.components.schemas[name] = { ...schema, example };
    }
  }
}

/**
 * `x-enable3-formats` maps "Schema.property" to the `pattern` (and, where the property has none, the
 * `description`) the docs show only by example, marked inferred: the mock then refuses what the SDK
 * refuses. Kept apart from the verbatim fragments so they stay verbatim; a format for a missing
 * property, or for one that already has a pattern, fails.
 * @param {Json} merged
 * @param {{ file: string, doc: any }[]} fragments
 */
function applyFormats(merged, fragments) {
  for (const { file, doc } of fragments) {
    for (const [where, format] of Object.entries(doc["x-enable3-formats"] ?? {})) {
      const [schemaName, property] = where.split(".");
      const schema = merged.components.schemas?.[/** @type {string} */ (schemaName)];
      const target = property === undefined ? undefined : schema?.properties?.[property];
      if (!target) throw new SpecConflictError(`${file} gives a format for components.schemas.${where}, which no fragment defines`);
      if (target.pattern !== undefined || (format.description !== undefined && target.description !== undefined)) {
        throw new SpecConflictError(
          `conflict: components.schemas.${where} gets a pattern or description from both its own definition and ${file}`,
        );
      }
      schema.properties[/** @type {string} */ (property)] = { ...target, ...format, "x-enable3-inferred": true };
    }
  }
}

/**
 * @param {Json} merged
 * @param {Map<string, string>} origin
 * @param {string} file
 * @param {string} path
 * @param {any} item
 */
function mergePathItem(merged, origin, file, path, item) {
  merged.paths[path] ??= {};
  const target = merged.paths[path];
  for (const [key, value] of Object.entries(item)) {
    const where = `${key.toUpperCase()} ${path}`;
    if (!METHODS.includes(key)) {
      // path-level fields (summary, parameters…): equal copies merge, different ones conflict
      if (target[key] !== undefined && !isDeepStrictEqual(target[key], value)) {
        throw new SpecConflictError(`conflict: "${key}" of path ${path} differs between ${origin.get(`${path}#${key}`)} and ${file}`);
      }
      origin.set(`${path}#${key}`, file);
      target[key] = value;
      continue;
    }
    if (target[key] !== undefined) {
      throw new SpecConflictError(`conflict: ${where} is defined in ${origin.get(where)} and ${file}`);
    }
    const opId = value.operationId;
    if (opId !== undefined && origin.has(`operationId:${opId}`)) {
      throw new SpecConflictError(`conflict: operationId "${opId}" is used in ${origin.get(`operationId:${opId}`)} and ${file}`);
    }
    origin.set(where, file);
    if (opId !== undefined) origin.set(`operationId:${opId}`, file);
    target[key] = withoutApiKeyParameter(value);
  }
}

/** The key travels through the global apiKey scheme, so no operation asks its caller for it. */
/** @param {Json} operation */
function withoutApiKeyParameter(operation) {
  if (!Array.isArray(operation.parameters)) return operation;
  const parameters = operation.parameters.filter(
    (/** @type {Json} */ p) => !(p.in === "header" && String(p.name).toLowerCase() === API_KEY_HEADER),
  );
  const { parameters: _dropped, ...rest } = operation;
  return parameters.length ? { ...rest, parameters } : rest;
}

/**
 * @param {{ file: string, doc: any }} base
 * @param {{ file: string, doc: any }} fragment
 */
function checkSameServers(base, fragment) {
  const urls = (/** @type {Json} */ d) => (d.servers ?? []).map((/** @type {Json} */ s) => s.url);
  const mine = urls(fragment.doc);
  if (mine.length && !isDeepStrictEqual(mine, urls(base.doc))) {
    throw new SpecConflictError(`${fragment.file} names servers ${mine.join(", ")} but ${base.file} names ${urls(base.doc).join(", ")}`);
  }
}

/** @param {Json} doc */
function sortDocument(doc) {
  const sortKeys = (/** @type {Json} */ obj) => Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const paths = sortKeys(doc.paths);
  for (const [p, item] of Object.entries(paths)) {
    const methodOrder = (/** @type {string} */ k) => (METHODS.includes(k) ? METHODS.indexOf(k) : -1);
    paths[p] = Object.fromEntries(Object.entries(item).sort(([a], [b]) => methodOrder(a) - methodOrder(b) || (a < b ? -1 : 1)));
  }
  const components = sortKeys(doc.components);
  for (const section of Object.keys(components)) components[section] = sortKeys(components[section]);
  return { ...doc, paths, components };
}

/** @param {string} file */
function basename(file) {
  return file.split(/[\\/]/).pop();
}
