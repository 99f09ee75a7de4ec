// Each tool's input schema, built at start-up from the merged OpenAPI document the package ships
// (openapi/enable3.openapi.json): a field added, renamed or described anew in the spec changes the
// tool an assistant sees, with no code change here. Only two things are added to what the spec says:
// which fields the SDK fills in when left out (an id, a date), and a name for a body that is an array.
import { readFileSync } from "node:fs";
import { BUNDLED_SPEC } from "../../mock.js";

/** A JSON Schema, as the spec and MCP write it. */
export type JsonSchema = { [key: string]: unknown };

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** The merged spec the package ships (the one the mock serves). */
export function loadSpec(file: string = BUNDLED_SPEC): Spec {
  return JSON.parse(readFileSync(file, "utf8")) as Spec;
}

export interface InputShape {
  /** Fields the SDK fills in when they are left out: optional in the tool, with the default said. */
  defaulted?: Record<string, string>;
  /** The property an array body is given under (MCP takes only objects). */
  bodyName?: string;
}

/** The operation, found by its operationId. */
export function operation(spec: Spec, operationId: string): Operation {
  for (const methods of Object.values(spec.paths)) {
    for (const op of Object.values(methods)) if (op.operationId === operationId) return op;
  }
  throw new Error(`the bundled OpenAPI document has no operation ${operationId}`);
}

/** The tool's input: the operation's path and query parameters, and its JSON body's fields (or the body under `bodyName`). */
export function inputSchema(spec: Spec, operationId: string, shape: InputShape = {}): JsonSchema {
  const op = operation(spec, operationId);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of op.parameters ?? []) {
    if (p.in !== "path" && p.in !== "query") continue;
    properties[p.name] = { ...resolve(spec, p.schema ?? {}), ...(p.description ? { description: p.description.trim() } : {}) };
    if (p.required) required.push(p.name);
  }
  const body = op.requestBody?.content?.["application/json"]?.schema;
  if (body) {
    const resolved = resolve(spec, body);
    if (resolved.type === "object") {
      Object.assign(properties, resolved.properties as Record<string, JsonSchema>);
      required.push(...((resolved.required as string[] | undefined) ?? []));
    } else {
      if (!shape.bodyName) throw new Error(`${operationId}'s body is not an object: give it a name`);
      properties[shape.bodyName] = resolved;
      required.push(shape.bodyName);
    }
  }
  for (const [field, byDefault] of Object.entries(shape.defaulted ?? {})) {
    const property = properties[field];
    if (!property) throw new Error(`${operationId} has no field ${field} in the bundled OpenAPI document`);
    properties[field] = { ...property, description: [property.description, `Optional: ${byDefault}.`].filter(Boolean).join(" ") };
  }
  const defaulted = new Set(Object.keys(shape.defaulted ?? {}));
  const stillRequired = required.filter((name) => !defaulted.has(name));
  return { type: "object", properties, ...(stillRequired.length ? { required: stillRequired } : {}), additionalProperties: false };
}

/** The schema with every `$ref` replaced by what it points to, and the spec's own `x-` annotations left out. */
function resolve(spec: Spec, schema: unknown, seen: string[] = []): JsonSchema {
  if (Array.isArray(schema)) return schema.map((item) => resolve(spec, item, seen)) as unknown as JsonSchema;
  if (schema === null || typeof schema !== "object") return schema as JsonSchema;
  const ref = (schema as { $ref?: string }).$ref;
  if (typeof ref === "string") {
    if (seen.includes(ref)) throw new Error(`the bundled OpenAPI document refers to ${ref} in a loop`);
    const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
    const target = name === undefined ? undefined : spec.components?.schemas?.[name];
    if (!target) throw new Error(`the bundled OpenAPI document has no ${ref}`);
    return resolve(spec, target, [...seen, ref]);
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!key.startsWith("x-")) out[key] = typeof value === "object" ? resolve(spec, value, seen) : value;
  }
  return out;
}
