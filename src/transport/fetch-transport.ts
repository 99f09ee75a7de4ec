// The transport over a fetch function (the global one, or the caller's): used everywhere but where a
// faster one is chosen. Timeouts, the caller's abort, redirects and the body cap all end an attempt here.
import type { Attempt, HeaderSource, Transport } from "./contract.js";

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
        headers: headersInit(request.headers),
        body: request.body as BodyInit | undefined,
        redirect: refuseRedirects ? "manual" : request.redirect,
        window: null,
        signal: controller.signal,
      });
      if (refuseRedirects && isRedirect(response)) {
        await response.body?.cancel().catch(() => {});
        return { failure: { kind: "redirect", status: response.status, location: response.headers.get("location") } };
      }
      const body = await readCapped(response, maxResponseBytes);
      return { response: { status: response.status, statusText: response.statusText, headers: response.headers, body } };
    } catch (cause) {
      if (cause instanceof BodyTooLarge) return { failure: { kind: "too-large", status: Number(cause.message) } };
      return { failure: { kind: signal?.aborted ? "aborted" : controller.signal.aborted ? why : "network", cause } };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
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

/** A 3xx (but 304, which is a cache answer) or, in browsers, the opaque response a manual redirect gives. */
export function isRedirect(response: { status: number; type?: string }): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400 && response.status !== 304);
}

/** The whole body, read chunk by chunk and given up on past `limit` bytes (declared or received). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw new BodyTooLarge(String(response.status));
  }
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (let step = await reader.read(); !step.done; step = await reader.read()) {
    total += step.value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(String(response.status));
    }
    chunks.push(step.value);
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
