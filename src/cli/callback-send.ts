// `enable3 callback send --to URL`: a signed withdrawal callback sent to the operator's own endpoint
// exactly as Enable3 would send it, to test that endpoint before the real ones arrive.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { SIGNATURE_HEADER, signCallback } from "../callback.js";
import { apiDateFlag, noMorePositionals, number, parse, positional, UsageError } from "./args.js";
import { createOutput, EXIT } from "./output.js";

export const callbackUsage = "enable3 callback send --to URL [--body FILE] [--user-id ID] [--amount N] [--transaction-id ID] [--tamper] …";

export const callbackHelp = `Sends POST URL with a withdrawal callback body and the ${SIGNATURE_HEADER} header computed from
ENABLE3_CALLBACK_SECRET (or --secret), then prints the endpoint's status, time and answer.

The body has the documented fields; each comes from a flag, else from --body FILE (a JSON object), else
a sample value: --user-id (player-42), --amount (10), --token-amount (1000), --token-rate (0.01),
--transaction-id (a new UUID: a new withdrawal each time), --created-at (now, in Enable3's
yyyy-MM-dd'T'HH:mm:ss.SSSSSS format), --option-id, --purchase-product-id.

--tamper sends a wrong signature: your endpoint must refuse it (the command then exits 0, and 1 if it
was accepted). Without --tamper it exits 0 for a 2xx answer and 1 otherwise.

Examples:
  ENABLE3_CALLBACK_SECRET=… enable3 callback send --to http://localhost:3000/enable3/callback
  enable3 callback send --to http://localhost:3000/enable3/callback --transaction-id tx-1 --amount 25
  enable3 callback send --to http://localhost:3000/enable3/callback --tamper`;

const TEXT_FIELDS = {
  "user-id": "userId",
  "transaction-id": "transactionId",
  "option-id": "optionId",
  "purchase-product-id": "purchaseProductId",
} as const;
const NUMBER_FIELDS = { amount: "amount", "token-amount": "tokenAmount", "token-rate": "tokenRate" } as const;

export async function runCallback(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    to: { type: "string" },
    secret: { type: "string" },
    body: { type: "string" },
    tamper: { type: "boolean", default: false },
    "created-at": { type: "string" },
    ...Object.fromEntries(Object.keys({ ...TEXT_FIELDS, ...NUMBER_FIELDS }).map((flag) => [flag, { type: "string" as const }])),
  });
  if (positional(positionals, 0, "send") !== "send") throw new UsageError(`callback takes send, got "${positionals[0]}"`);
  noMorePositionals(positionals, 1);
  const to = values.to;
  if (!to || !/^https?:\/\//.test(to)) throw new UsageError("--to must be the http(s) URL of your callback endpoint");
  const secret = values.secret ?? process.env.ENABLE3_CALLBACK_SECRET;
  if (!secret) throw new UsageError("give --secret or set ENABLE3_CALLBACK_SECRET");
  const body = { ...sampleCallback(), ...(await bodyFile(values.body)) };
  const given = values as Record<string, unknown>;
  for (const [flag, field] of Object.entries(TEXT_FIELDS)) if (typeof given[flag] === "string") body[field] = given[flag];
  for (const [flag, field] of Object.entries(NUMBER_FIELDS))
    if (typeof given[flag] === "string") body[field] = number(given[flag] as string, flag);
  const createdAt = apiDateFlag(values["created-at"], "created-at");
  if (createdAt !== undefined) body.createdAt = typeof createdAt === "string" ? createdAt : enable3Timestamp(createdAt);

  const raw = JSON.stringify(body);
  const signature = values.tamper ? tampered(signCallback(raw, secret)) : signCallback(raw, secret);
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(to, {
      method: "POST",
      headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
      body: raw,
      redirect: "manual",
    });
  } catch (error) {
    throw new Error(
      `could not reach ${to}: ${(error as Error).cause ? String((error as Error & { cause: unknown }).cause) : (error as Error).message}`,
    );
  }
  const text = await response.text();
  const ms = Math.round(performance.now() - started);
  const accepted = response.status >= 200 && response.status < 300;
  const verdict = values.tamper
    ? accepted
      ? "ACCEPTED a wrong signature: your endpoint does not verify it"
      : "refused the wrong signature, as it should"
    : accepted
      ? "accepted"
      : "refused";
  createOutput(values.json).result(
    { to, status: response.status, ms, tampered: values.tamper, accepted, sent: body, answer: text.slice(0, 2000) },
    `${to} answered HTTP ${response.status} in ${ms} ms: ${verdict}\nsent transaction ${String(body.transactionId)}\n${text.slice(0, 2000)}`,
  );
  return values.tamper !== accepted ? EXIT.ok : EXIT.failure;
}

function sampleCallback(): Record<string, unknown> {
  return {
    userId: "player-42",
    amount: 10,
    tokenAmount: 1000,
    tokenRate: 0.01,
    transactionId: randomUUID(),
    createdAt: enable3Timestamp(new Date()),
  };
}

/** Enable3's callback format: yyyy-MM-dd'T'HH:mm:ss.SSSSSS, UTC, no zone. */
function enable3Timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

async function bodyFile(file: string | undefined): Promise<Record<string, unknown>> {
  if (file === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--body ${file}: ${(error as NodeJS.ErrnoException).code ?? "not valid JSON"}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new UsageError(`--body ${file} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/** A well-formed signature for other bytes: the endpoint must say "mismatch", not "malformed". */
function tampered(signature: string): string {
  const first = signature[0] === "A" ? "B" : "A";
  return first + signature.slice(1);
}
