// `enable3 verify-callback`: checks a saved withdrawal callback body against its signature.
import { readFile } from "node:fs/promises";
import { Enable3CallbackError, parseWithdrawalCallback } from "../callback.js";
import { noMorePositionals, parse, positional, required, UsageError } from "./args.js";
import { createOutput, EXIT } from "./output.js";

export const verifyUsage = "enable3 verify-callback --signature SIG [--secret SECRET] <file|->";

export const verifyHelp = `Checks a saved callback body (a file, or - for stdin) against the X-REQUEST-SIGNATURE it came with,
then checks its fields. The secret comes from ENABLE3_CALLBACK_SECRET, or --secret (visible in ps).
Exits 0 when valid, 1 when not (with the reason), 2 for a usage error.

Example:
  ENABLE3_CALLBACK_SECRET=… enable3 verify-callback --signature "$SIG" callback.json
  cat callback.json | enable3 verify-callback --signature "$SIG" -`;

export async function runVerify(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { signature: { type: "string" }, secret: { type: "string" } });
  const source = positional(positionals, 0, "file|-");
  noMorePositionals(positionals, 1);
  const secret = values.secret ?? process.env.ENABLE3_CALLBACK_SECRET;
  if (!secret) throw new UsageError("give --secret or set ENABLE3_CALLBACK_SECRET");
  const signature = required(values.signature, "signature");
  const body =
    source === "-"
      ? await readStdin()
      : await readFile(source).catch(() => {
          throw new UsageError(`cannot read ${source}`);
        });
  const out = createOutput(values.json);
  try {
    const callback = parseWithdrawalCallback(body, signature, secret);
    out.result({ valid: true, callback }, `valid: ${callback.userId} withdrew ${callback.amount} (transaction ${callback.transactionId})`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof Enable3CallbackError)) throw error;
    out.result({ valid: false, reason: error.reason, message: error.message }, `invalid (${error.reason}): ${error.message}`);
    return EXIT.failure;
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
