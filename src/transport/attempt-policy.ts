// The rules every transport applies to an attempt, written once: an attempt whose signal already
// aborted is never made; one timer ends it at its timeout or the call's deadline, whichever is first,
// and says which; a 3xx is refused unless a raw call asked to follow; a body is capped at
// `maxResponseBytes`; a redirect's body is drained only so far; and what went wrong underneath (a
// runtime's error) is read by its code into a failure kind. The transports do the I/O around these.
import type { AttemptFailure, AttemptOutcome, CallContext, OutgoingRequest } from "./contract.js";

/** How much of a refused redirect's body is read so the connection can be reused; past it, it is closed. */
export const REDIRECT_DRAIN_BYTES = 64 * 1024;

/** An attempt whose caller already gave up: never sent. */
export function abortedAlready(signal: AbortSignal | undefined): AttemptOutcome | undefined {
  return signal?.aborted ? { failure: { kind: "aborted", cause: signal.reason } } : undefined;
}

/**
 * Arms the one timer of an attempt: at `timeoutMs`, or at the call's deadline when that comes first,
 * calling `end` with the failure that says which. Returns the handle to clear.
 */
export function armAttemptTimer(
  ctx: CallContext,
  deadlineAt: number,
  end: (failure: AttemptFailure) => void,
): ReturnType<typeof setTimeout> {
  const { timeoutMs } = ctx.settings;
  const untilDeadline = deadlineAt - Date.now();
  const kind = untilDeadline < timeoutMs ? "deadline" : "timeout";
  return setTimeout(() => end({ kind, cause: new Error(`${kind} reached`) }), Math.min(timeoutMs, untilDeadline));
}

/** "error" (and undefined) is the SDK's "never follow"; only a raw call's explicit "follow" follows. */
export function refusesRedirects(request: Pick<OutgoingRequest, "redirect">): boolean {
  return request.redirect === "error" || request.redirect === undefined;
}

/** A 3xx (but 304, which is a cache answer) or, in browsers, the opaque response a manual redirect gives. */
export function isRedirect(response: { status: number; type?: string }): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400 && response.status !== 304);
}

/** A declared length over the cap: refused before reading. A missing or unreadable one is checked while reading. */
export function declaredTooLarge(contentLength: string | null | undefined, limit: number): boolean {
  return Number(contentLength ?? 0) > limit;
}

const EMPTY = new Uint8Array(0);

/** Chunks of a body, given up on past `limit` bytes: `add` says false once the body is too large. */
export class BodyChunks {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  add(chunk: Uint8Array): boolean {
    this.size += chunk.byteLength;
    if (this.size > this.limit) return false;
    this.chunks.push(chunk);
    return true;
  }
  get empty(): boolean {
    return this.size === 0;
  }
  /** The body in one piece (the chunk itself when there was one). */
  bytes(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    if (this.size === 0) return EMPTY;
    const body = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return body;
  }
}

/** Certificate and handshake failures, by the codes Node and OpenSSL give them. */
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_EXCEEDED)/;
/**
 * A response that is not HTTP as the parsers accept it (llhttp's HPE_ codes, in node:http and undici
 * alike; undici's header limit), or a body that does not decode (zlib's Z_ codes, brotli's ERR_).
 */
const PROTOCOL_CODE = /^(HPE_|UND_ERR_HEADERS_OVERFLOW$|Z_|ERR_BROTLI|ERR__ERROR_FORMAT|ERR_HTTP_INVALID_STATUS_CODE$)/;

/**
 * What a runtime's error says went wrong, read by its code along the cause chain (fetch wraps the real
 * error in a TypeError): a certificate or handshake problem and an unreadable response are never fixed
 * by sending again, unlike a refused or reset connection.
 */
export function failureOf(cause: unknown): AttemptFailure {
  for (let error = cause, depth = 0; error instanceof Error && depth < 4; error = error.cause, depth++) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (TLS_CODE.test(code)) return { kind: "tls", cause: error };
    if (PROTOCOL_CODE.test(code)) return { kind: "protocol", cause: error };
    // undici's name for a 101 or an unexpected 1xx it will not read: a protocol the API never speaks
    if (code === "UND_ERR_SOCKET" && /^bad (upgrade|response)$/.test(error.message)) return { kind: "protocol", cause: error };
  }
  return { kind: "network", cause };
}
