// `enable3 callback verify` (formerly `enable3 verify-callback`): checks a saved withdrawal callback
// body against its signature, then its fields.
import { readFile } from "node:fs/promises";
import { Enable3CallbackError, parseWithdrawalCallback } from "../callback.js";
import { noMorePositionals, parse, positional, required, UsageError } from "./args.js";
import { callbackSecret, SECRET_OPTIONS } from "./callback-secret.js";
import { createOutput, EXIT } from "./output.js";

export const verifyUsage = "enable3 callback verify --signature SIG [--secret-file FILE] <file|->";

export async function runVerify(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { signature: { type: "string" }, ...SECRET_OPTIONS });
  const source = positional(positionals, 0, "file|-");
  noMorePositionals(positionals, 1);
  const secret = await callbackSecret(values);
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
