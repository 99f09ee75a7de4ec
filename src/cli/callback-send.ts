// `enable3 callback send --to URL`: a signed withdrawal callback sent to the operator's own endpoint
// exactly as Enable3 would send it, to test that endpoint before the real ones arrive. The body goes as
// bytes (a file's exactly as they are), the wait for the answer is bounded, and so is what is read of it.
import { readFile } from "node:fs/promises";
import { SIGNATURE_HEADER, signCallback } from "../callback.js";
import { noMorePositionals, number, parse, UsageError } from "./args.js";
import { CALLBACK_FIELDS, callbackBody, FIELD_OPTIONS } from "./callback-body.js";
import { callbackSecret, SECRET_OPTIONS } from "./callback-secret.js";
import { createOutput, EXIT } from "./output.js";

export const sendUsage =
  "enable3 callback send --to URL [--body-file FILE | --user-id ID --amount N --transaction-id ID …] [--tamper] [--secret-file FILE]";

/** How much of the endpoint's answer is read: enough to show, never a hostile endpoint's gigabytes. */
export const ANSWER_CAP_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

export async function runSend(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    to: { type: "string" },
    "body-file": { type: "string" },
    tamper: { type: "boolean", default: false },
    ...SECRET_OPTIONS,
    ...FIELD_OPTIONS,
  });
  noMorePositionals(positionals, 0);
  const to = values.to;
  if (!to || !/^https?:\/\//.test(to)) throw new UsageError("--to must be the http(s) URL of your callback endpoint");
  const secret = await callbackSecret(values);
  const timeoutMs = number(values["timeout-ms"], "timeout-ms") ?? DEFAULT_TIMEOUT_MS;
  const { body, transactionId } = await bodyToSend(values as Record<string, unknown>);

  const signature = values.tamper ? tampered(signCallback(body, secret)) : signCallback(body, secret);
  const started = performance.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  let status: number;
  let answer: { text: string; truncated: boolean };
  try {
    const response = await fetch(to, {
      method: "POST",
      headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
      body,
      redirect: "manual",
      signal: timeout,
    });
    status = response.status;
    answer = await readCapped(response);
  } catch (error) {
    if (timeout.aborted) throw new Error(`${to} did not answer within ${timeoutMs} ms (--timeout-ms)`);
    const cause = (error as Error & { cause?: unknown }).cause;
    throw new Error(`could not reach ${to}: ${cause ? String(cause) : (error as Error).message}`);
  }
  const ms = Math.round(performance.now() - started);
  const accepted = status >= 200 && status < 300;
  const verdict = values.tamper
    ? accepted
      ? "ACCEPTED a wrong signature: your endpoint does not verify it"
      : "refused the wrong signature, as it should"
    : accepted
      ? "accepted"
      : "refused";
  const shown = answer.text.slice(0, 2000) + (answer.truncated || answer.text.length > 2000 ? "…" : "");
  createOutput(values.json).result(
    { to, status, ms, tampered: values.tamper, accepted, transactionId, body: new TextDecoder().decode(body), answer: shown },
    `${to} answered HTTP ${status} in ${ms} ms: ${verdict}\nsent transaction ${transactionId || "(none in the body)"}\n${shown}`,
  );
  return values.tamper !== accepted ? EXIT.ok : EXIT.failure;
}

/** The bytes to send: the file's exactly, or the body written from the flags and samples. */
async function bodyToSend(values: Record<string, unknown>): Promise<{ body: Uint8Array<ArrayBuffer>; transactionId: string }> {
  const file = values["body-file"];
  if (typeof file !== "string") {
    const { text, transactionId } = callbackBody(values);
    return { body: new TextEncoder().encode(text), transactionId };
  }
  const flags = Object.values(CALLBACK_FIELDS)
    .map((f) => f.flag)
    .filter((flag) => values[flag] !== undefined);
  if (flags.length) throw new UsageError(`--body-file sends the file as it is: edit the file rather than giving --${flags.join(", --")}`);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UsageError(`--body-file ${file}: ${(error as NodeJS.ErrnoException).code ?? "cannot be read"}`);
  }
  let transactionId = "";
  try {
    const id = (JSON.parse(new TextDecoder().decode(bytes)) as { transactionId?: unknown }).transactionId;
    if (typeof id === "string") transactionId = id;
  } catch {
    // not JSON: sent all the same, so the endpoint's answer to it can be seen
  }
  return { body: bytes, transactionId };
}

/** The answer's text, at most ANSWER_CAP_BYTES of it. */
async function readCapped(response: Response): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > ANSWER_CAP_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, ANSWER_CAP_BYTES));
  return { text, truncated: size > ANSWER_CAP_BYTES };
}

/** A well-formed signature for other bytes: the endpoint must say "mismatch", not "malformed". */
function tampered(signature: string): string {
  const first = signature[0] === "A" ? "B" : "A";
  return first + signature.slice(1);
}
