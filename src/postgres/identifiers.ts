// Names of the SDK's tables, in the operator's chosen schema. They are spliced into SQL text (a name
// cannot be a parameter), so they are checked here once and always quoted.
import { Enable3ValidationError } from "../errors/validation.js";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name as given (lower case, digits, underscores: what needs no quoting rules to read). */
export function schemaName(value: unknown, field: string): string {
  if (typeof value !== "string" || !IDENTIFIER.test(value)) {
    throw new Enable3ValidationError(field, "must be a PostgreSQL schema name of lower-case letters, digits and underscores");
  }
  return value;
}

/** `"schema"."enable3_name"`, quoted. */
export function tableName(schema: string, name: string): string {
  return `"${schema}"."enable3_${name}"`;
}
