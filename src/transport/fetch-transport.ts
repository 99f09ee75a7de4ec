// The transport over a fetch function (the global one, or the caller's): used everywhere but where a
// faster one is chosen. I/O only: the rules it applies (attempt-policy.ts) are every transport's.

import { whenAborted } from "../internal/abort.js";
import {
  abortedAlready,
  armAttemptTimer,
  BodyChunks,
  declaredTooLarge,
  failureOf,
  isRedirect,
  REDIRECT_DRAIN_BYTES,
  refusesRedirects,
} from "./attempt-policy.js";
import type { Attempt, AttemptFailure, HeaderSource, Transport } from "./contract.js";

/** The transport over a fetch function: nothing of its own to close. */
export function createFetchTransport(fetchImpl: typeof fetch): Transport {
  return { attempt: createFetchAttempt(fetchImpl), close: async () => {} };
}

/** Thrown while reading a body past the cap; turned into a "too-large" failure. */
class BodyTooLarge extends Error {}

/**
 * One attempt under one AbortController, aborted by whichever comes first: the attempt's timer or the
 * caller's signal. Node makes every AbortSignal costly to create, so an attempt makes exactly one and
 * combines the rest by hand rather than with AbortSignal.any. The runtime's fetch decodes gzip and br
 * itself; the cap counts what it decoded.
 */
export function createFetchAttempt(fetchImpl: typeof fetch): Attempt {
  return async (request, ctx, deadlineAt, signal) => {
    const aborted = abortedAlready(signal);
    if (aborted) return aborted;
    const controller = new AbortController();
    let ended: AttemptFailure | undefined;
    const timer = armAttemptTimer(ctx, deadlineAt, (failure) => {
      ended = failure;
      controller.abort(new DOMException(`${failure.kind} reached`, "TimeoutError"));
    });
    const stopWaiting = signal === undefined ? undefined : whenAborted(signal, () => controller.abort(signal.reason));
    // "never follow" is asked for as "manual", so a redirect is recognised by its status (or, in
    // browsers, its opaque type) rather than by the wording of a runtime's error
    const refuse = refusesRedirects(request);
    try {
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers: headersInit(request.headers),
        body: request.body as BodyInit | undefined,
        redirect: refuse ? "manual" : request.redirect,
        window: null,
        signal: controller.signal,
      });
      if (refuse && isRedirect(response)) {
        // a short body is read so the connection can serve the next request; a long one is not pulled
        const short = !declaredTooLarge(response.headers.get("content-length") ?? "Infinity", REDIRECT_DRAIN_BYTES);
        await (short ? response.arrayBuffer() : response.body?.cancel())?.catch(() => {});
        return { failure: { kind: "redirect", status: response.status, location: response.headers.get("location") } };
      }
      const body = await readCapped(response, ctx.settings.maxResponseBytes);
      return { response: { status: response.status, statusText: response.statusText, headers: response.headers, body } };
    } catch (cause) {
      if (cause instanceof BodyTooLarge) return { failure: { kind: "too-large", status: Number(cause.message) } };
      if (signal?.aborted) return { failure: { kind: "aborted", cause: signal.reason } };
      return { failure: ended ?? failureOf(cause) };
    } finally {
      clearTimeout(timer);
      stopWaiting?.();
    }
  };
}

/** fetch takes a Headers as it is; any other source is copied into a plain record. */
function headersInit(headers: HeaderSource): HeadersInit {
  if (headers instanceof Headers) return headers;
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

/** The whole body, read chunk by chunk and given up on past `limit` bytes (declared or received). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  if (declaredTooLarge(response.headers.get("content-length"), limit)) {
    await response.body?.cancel().catch(() => {});
    throw new BodyTooLarge(String(response.status));
  }
  if (!response.body) return new Uint8Array(0);
  const chunks = new BodyChunks(limit);
  const reader = response.body.getReader();
  for (let step = await reader.read(); !step.done; step = await reader.read()) {
    if (!chunks.add(step.value)) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(String(response.status));
    }
  }
  return chunks.bytes();
}
