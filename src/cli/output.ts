// What the CLI prints and which exit code it ends with. The key is never printed: errors come from
// the SDK, which never holds it on an error.
import { Enable3Error, Enable3ValidationError } from "../index.js";
import { UsageError } from "./args.js";

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface Output {
  /** Prints a result: JSON as is with --json, else the human text. */
  result(data: unknown, human: string): void;
}

export function createOutput(json: boolean, out: NodeJS.WritableStream = process.stdout): Output {
  return {
    result(data, human) {
      out.write(json ? `${JSON.stringify(data)}\n` : `${human}\n`);
    },
  };
}

/** Prints an error and gives its exit code: 2 for usage and validation, 1 for API and network failures. */
export function reportError(error: unknown, json: boolean, err: NodeJS.WritableStream = process.stderr): number {
  const usage = error instanceof UsageError || error instanceof Enable3ValidationError;
  const code = usage ? EXIT.usage : EXIT.failure;
  if (json) {
    const fields =
      error instanceof Enable3Error
        ? error.toJSON()
        : { name: (error as Error)?.name, message: String((error as Error)?.message ?? error) };
    err.write(`${JSON.stringify({ error: fields })}\n`);
  } else if (error instanceof UsageError) {
    err.write(`error: ${error.message}\nRun with --help for usage.\n`);
  } else if (error instanceof Enable3Error) {
    err.write(`${error.name}: ${error.message}\n`);
  } else {
    err.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return code;
}
