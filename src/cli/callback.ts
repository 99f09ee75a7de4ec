// `enable3 callback send|verify`: the withdrawal-callback tools, one command with a subcommand each
// (`enable3 verify-callback` is the deprecated name of `callback verify`).
import { didYouMean, UsageError } from "./args.js";
import { SECRET_HELP } from "./callback-secret.js";
import { runSend, sendUsage } from "./callback-send.js";
import { runVerify, verifyUsage } from "./callback-verify.js";

export const callbackUsage = `${sendUsage}\n       ${verifyUsage}`;

export const callbackHelp = `callback send POSTs a withdrawal callback to URL as Enable3 would: the X-REQUEST-SIGNATURE header
computed over the exact bytes sent, then prints the endpoint's status, time and answer (at most 64 KiB
of it is read; --timeout-ms bounds the wait, default 30000). The body is --body-file FILE, sent byte
for byte as it is in the file, or else one written from the flags, each field as typed (numbers too:
--amount 100.00 stays 100.00) or a sample value: --user-id (player-42), --amount (10.00),
--token-amount (1000), --token-rate (0.01), --transaction-id (a new UUID: a new withdrawal each time),
--created-at (now, as Enable3 writes it: yyyy-MM-dd'T'HH:mm:ss.SSSSSS), --option-id,
--purchase-product-id (left out unless given).
--tamper sends a wrong signature: your endpoint must refuse it (the command then exits 0, and 1 if it
was accepted). Without --tamper it exits 0 for a 2xx answer and 1 otherwise.

callback verify checks a saved callback body (a file, or - for stdin) against the signature it came
with, then its fields. Exits 0 when valid, 1 when not (with the reason).

${SECRET_HELP}

Examples:
  ENABLE3_CALLBACK_SECRET=… enable3 callback send --to http://localhost:3000/enable3/callback
  enable3 callback send --to http://localhost:3000/enable3/callback --transaction-id tx-1 --amount 25.00
  enable3 callback send --to http://localhost:3000/enable3/callback --body-file saved-callback.json
  enable3 callback send --to http://localhost:3000/enable3/callback --tamper
  enable3 callback verify --signature "$SIG" --secret-file /run/secrets/enable3 saved-callback.json
  cat saved-callback.json | enable3 callback verify --signature "$SIG" -`;

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = { send: runSend, verify: runVerify };

export async function runCallback(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const run = name === undefined ? undefined : SUBCOMMANDS[name];
  if (!run) {
    const given = name === undefined ? "nothing" : `"${name}"`;
    throw new UsageError(`callback takes send or verify, got ${given}${name ? didYouMean(name, Object.keys(SUBCOMMANDS)) : ""}`);
  }
  return run(rest);
}

/** `enable3 verify-callback`, the old name of `enable3 callback verify`: still works, and says so. */
export async function runVerifyCallbackAlias(args: string[]): Promise<number> {
  process.stderr.write("enable3 verify-callback is deprecated: use enable3 callback verify (same options)\n");
  return runVerify(args);
}
