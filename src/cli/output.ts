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
      out.write(json ? `${JSON.stringify(data)}\n` : `${printable(human)}\n`);
    },
  };
}

/** C0 and C1 control characters but tab and line feed, and DEL: what would drive the terminal if printed raw. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's whole purpose
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from the API (an error's reason, a widget URL) as it is safe to print: a control character is
 * shown as its escape (`\x1b`), so a hostile answer cannot rewrite the terminal.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * A failed call whose request carried an idempotency key the caller did not choose: the error, and the
 * key to resend with so a retry is not a second event.
 */
export class SentWithId extends Error {
  override name = "SentWithId";
  constructor(
    readonly error: unknown,
    readonly flag: string,
    readonly id: string,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/** Prints an error and gives its exit code: 2 for usage and validation, 1 for API and network failures. */
export function reportError(thrown: unknown, json: boolean, err: NodeJS.WritableStream = process.stderr): number {
  const error = thrown instanceof SentWithId ? thrown.error : thrown;
  const resend = thrown instanceof SentWithId ? thrown : undefined;
  const usage = error instanceof UsageError || error instanceof Enable3ValidationError;
  const code = usage ? EXIT.usage : EXIT.failure;
  if (json) {
    const fields =
      error instanceof Enable3Error
        ? error.toJSON()
        : { name: (error as Error)?.name, message: String((error as Error)?.message ?? error) };
    err.write(`${JSON.stringify({ error: fields, ...(resend ? { id: resend.id } : {}) })}\n`);
  } else if (error instanceof UsageError) {
    err.write(`error: ${printable(error.message)}\nRun with --help for usage.\n`);
  } else if (error instanceof Enable3Error) {
    err.write(`${error.name}: ${printable(error.message)}\n`);
  } else {
    err.write(`error: ${printable(error instanceof Error ? error.message : String(error))}\n`);
  }
  if (resend && !json) {
    err.write(
      `It was sent with ${resend.flag} ${resend.id}: to retry without counting it twice, run the same command with ${resend.flag} ${resend.id}\n`,
    );
  }
  return code;
}
