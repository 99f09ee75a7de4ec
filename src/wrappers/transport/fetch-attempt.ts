// One attempt over a fetch function (the global one, or the caller's): the transport everywhere but
// where a faster one is chosen. Timeouts, the caller's abort, redirects and the body cap all end here.
import type { AttemptFailure, CallContext } from "./call-context.js";
import { type Outgoing, PlainResponse } from "./plain-carriers.js";

/** What an attempt ends with: a response whose body is already read, or why there is none. */
export type AttemptOutcome =
  | { response: Response | PlainResponse; failure?: undefined }
  | { failure: AttemptFailure; response?: undefined };

/** Makes one attempt of `request`; never throws. `signal` is the caller's, if any. */
export type Attempt = (request: Outgoing, ctx: CallContext, deadlineAt: number, signal: AbortSignal | undefined) => Promise<AttemptOutcome>;

/** How a client reaches the network: an attempt function, and what to release on `client.close()`. */
export interface Transport {
  attempt: Attempt;
  close(): Promise<void>;
}

/** The transport over a fetch function: nothing of its own to close. */
export function createFetchTransport(fetchImpl: typeof fetch): Transport {
  return { attempt: createFetchAttempt(fetchImpl), close: async () => {} };
}

/** Thrown while reading a body past the cap; turned into a "too-large" failure. */
class BodyTooLarge extends Error {}

/**
 * One attempt under one AbortController, aborted by whichever comes first: the attempt's timeout, the
 * call's deadline (one timer for both) or the caller's signal. Node makes every AbortSignal costly to
 * create, so an attempt makes exactly one and combines the rest by hand rather than with AbortSignal.any.
 */
export function createFetchAttempt(fetchImpl: typeof fetch): Attempt {
  return async (request, ctx, deadlineAt, signal) => {
    const { timeoutMs, maxResponseBytes } = ctx.settings;
    if (signal?.aborted) return { failure: { kind: "aborted", cause: signal.reason } };
    const controller = new AbortController();
    const untilDeadline = deadlineAt - Date.now();
    const why: "timeout" | "deadline" = untilDeadline < timeoutMs ? "deadline" : "timeout";
    const timer = setTimeout(
      () => controller.abort(new DOMException(`${why} reached`, "TimeoutError")),
      Math.min(timeoutMs, untilDeadline),
    );
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    // "error" is the SDK's "never follow": asked for as "manual", so a redirect is recognised by its
    // status (or, in browsers, its opaque type) rather than by the wording of a runtime's error
    const refuseRedirects = request.redirect === "error" || request.redirect === undefined;
    try {
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: refuseRedirects ? "manual" : request.redirect,
        window: null,
        signal: controller.signal,
      });
      if (refuseRedirects && isRedirect(response)) {
        await response.body?.cancel().catch(() => {});
        return { failure: { kind: "redirect", status: response.status, location: response.headers.get("location") } };
      }
      const body = await readCapped(response, maxResponseBytes);
      if (request.plain) return { response: new PlainResponse(response.status, response.headers, new TextDecoder().decode(body)) };
      const { bufferedResponse } = await import("./raw-carriers.js");
      return { response: bufferedResponse(response.status, response.statusText, response.headers, body) };
    } catch (cause) {
      if (cause instanceof BodyTooLarge) return { failure: { kind: "too-large", status: Number(cause.message) } };
      return { failure: { kind: signal?.aborted ? "aborted" : controller.signal.aborted ? why : "network", cause } };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  };
}

/** A 3xx (but 304, which is a cache answer) or, in browsers, the opaque response a manual redirect gives. */
export function isRedirect(response: { status: number; type?: string }): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400 && response.status !== 304);
}

/** The whole body, read chunk by chunk and given up on past `limit` bytes (declared or received). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw new BodyTooLarge(String(response.status));
  }
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (let step = await reader.read(); !step.done; step = await reader.read()) {
    total += step.value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(String(response.status));
    }
    chunks.push(step.value as Uint8Array<ArrayBuffer>);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
