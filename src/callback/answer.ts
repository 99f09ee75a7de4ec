// The receiver's answers: the status each refusal and failure is answered with (a 503 says when to
// retry), the headers, and how the node:http adapter writes one (the fetch adapter builds a Response).
import type { FailureReason, RefusalReason } from "./events.js";
import type { BodyLimits, NodeRequest } from "./raw-body.js";
import type { NodeResponse } from "./receiver.js";

/** An answer, before an adapter writes it. `close` ends the connection (the body may still be arriving). */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  close?: boolean;
}

export const REFUSAL_STATUS: Record<RefusalReason, number> = {
  "method-not-allowed": 405,
  "body-too-large": 413,
  "body-timeout": 408,
  "body-aborted": 400,
  "missing-signature": 401,
  "malformed-signature": 401,
  "signature-mismatch": 401,
  "invalid-json": 400,
  "invalid-payload": 400,
  "too-old": 400,
};
const FAILURE_STATUS: Record<FailureReason, number> = {
  "handler-failed": 500,
  "store-failed": 503,
  "lease-lost": 503,
  "handler-timeout": 503,
  "body-consumed": 500,
};
/** What a 503 suggests to the sender: by then a running delivery has usually finished. */
export const RETRY_AFTER_SECONDS = "5";

/** A 5xx: the sender must retry; a 503 says when. */
export function failureAnswer(reason: FailureReason, body: Record<string, unknown>): Answer {
  const status = FAILURE_STATUS[reason];
  return status === 503 ? { status, body, headers: { "retry-after": RETRY_AFTER_SECONDS } } : { status, body };
}

export function headersOf(answer: Answer): Record<string, string> {
  return { "content-type": "application/json", ...answer.headers, ...(answer.close && { connection: "close" }) };
}

/** Writes the answer, unless the client is gone or something else already answered. */
export function writeNode(req: NodeRequest, res: NodeResponse, answer: Answer): void {
  if (res.headersSent) return;
  try {
    res.writeHead(answer.status, headersOf(answer));
    res.end(JSON.stringify(answer.body));
  } catch {
    return; // the socket is gone: nobody is left to answer
  }
  if (!answer.close) return;
  // the body may still be arriving: read on and discard it so the client can read the answer, then
  // close the connection after a grace period, whatever the client does
  req.resume();
  res.once("finish", () => {
    const timer = setTimeout(() => req.destroy(), 1000);
    (timer as { unref?: () => void }).unref?.();
    res.once("close", () => clearTimeout(timer));
  });
}

/** The message of a refused body: what limit it passed. */
export function bodyProblem(problem: "body-too-large" | "body-timeout" | "body-aborted", limits: BodyLimits): string {
  if (problem === "body-too-large") return `the body is over ${limits.maxBytes} bytes`;
  if (problem === "body-timeout") return `the body did not arrive within ${limits.timeoutMs} ms`;
  return "the connection closed before the body was complete";
}
