// One retry rule: for every way an attempt can end, the retry loop retries exactly when shouldRetry
// says so, and the error the call ends with carries that verdict as `retryable`.
import { describe, expect, it } from "vitest";
import { Enable3Error } from "../../src/index.js";
import type { AttemptFailure, AttemptOutcome, CallSettings } from "../../src/transport/contract.js";
import { SILENT_OBSERVER } from "../../src/transport/contract.js";
import { createRedactor } from "../../src/transport/redact.js";
import { createRetryLoop } from "../../src/transport/retry-loop.js";
import { shouldRetry } from "../../src/transport/retry-policy.js";

const settings: CallSettings = {
  maxRetries: 2,
  initialDelayMs: 0,
  maxDelayMs: 0,
  maxRetryAfterMs: 1_000,
  retryOnStatus: [503],
  timeoutMs: 1_000,
  deadlineMs: 60_000,
  maxResponseBytes: 1_000,
};
const proxy = { shown: "http://proxy:3128", source: "HTTPS_PROXY" };
const failures: [AttemptFailure, boolean][] = [
  [{ kind: "network", cause: new Error("ECONNRESET") }, true],
  [{ kind: "timeout", cause: new Error("timeout") }, true],
  [{ kind: "deadline", cause: new Error("deadline") }, true],
  [{ kind: "proxy", proxy, cause: new Error("ECONNREFUSED") }, true],
  [{ kind: "proxy", proxy, status: 503 }, true],
  [{ kind: "proxy", proxy, status: 407 }, false],
  [{ kind: "tls", cause: Object.assign(new Error("expired"), { code: "CERT_HAS_EXPIRED" }) }, false],
  [{ kind: "protocol", cause: Object.assign(new Error("parse"), { code: "HPE_INVALID_STATUS" }) }, false],
  [{ kind: "invalid-request", cause: new Error("bad path") }, false],
  [{ kind: "aborted", cause: new Error("stop") }, false],
  [{ kind: "redirect", status: 302, location: null }, false],
  [{ kind: "too-large", status: 200 }, false],
];

async function run(outcome: AttemptOutcome) {
  let attempts = 0;
  const send = createRetryLoop({
    attempt: async () => {
      attempts++;
      return outcome;
    },
    budget: undefined,
    observer: SILENT_OBSERVER,
    redact: createRedactor("k-secret"),
  });
  const ctx = { operation: "test", settings, attempts: 0 };
  const result = await send(
    { url: "https://api.example/x", method: "GET", headers: new Headers(), body: undefined, redirect: "error" },
    ctx,
  ).catch((e: unknown) => e);
  return { attempts, result, ctx };
}

describe("shouldRetry is the one rule", () => {
  it.each(
    failures.map(
      ([failure, retry]) => [failure.kind + ("status" in failure && failure.status ? ` ${failure.status}` : ""), failure, retry] as const,
    ),
  )("%s: the loop retries as shouldRetry says, and the error's retryable is that verdict", async (_name, failure, retry) => {
    expect(shouldRetry({ failure }, settings)).toBe(retry);
    const { attempts, result } = await run({ failure });
    expect(result).toBeInstanceOf(Enable3Error);
    expect((result as Enable3Error).retryable).toBe(retry);
    expect(attempts).toBe(retry ? 3 : 1);
  });

  it.each([
    [503, true],
    [500, false],
  ])("a response with status %i: retried as retryOnStatus lists it, and the verdict is kept for the caller", async (status, retry) => {
    const response = { status, statusText: "", headers: new Headers(), body: new Uint8Array() };
    const { attempts, ctx } = await run({ response });
    expect(attempts).toBe(retry ? 3 : 1);
    expect(ctx).toMatchObject({ retryable: retry });
  });
});
