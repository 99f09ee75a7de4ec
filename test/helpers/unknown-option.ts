// The unknown-option rule as a factory's caller meets it: a key that is not an option is refused with
// Enable3ValidationError naming `options.<key>` and the option it is nearest to.
import { expect } from "vitest";
import { Enable3ValidationError } from "../../src/index.js";

/** What `run` threw or rejected with; fails the test when it did neither. */
export async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal, and nothing was refused");
}

/** `run` refuses `field` (e.g. "options.timeout") as no option, suggesting `suggestion`. */
export async function expectUnknownOption(run: () => unknown, field: string, suggestion: string): Promise<void> {
  const error = await failureOf(run);
  expect(error).toBeInstanceOf(Enable3ValidationError);
  expect((error as Enable3ValidationError).field).toBe(field);
  expect((error as Error).message).toContain(`${field} is not an option (did you mean "${suggestion}"?)`);
}
