// The request got no HTTP response: connection, TLS, protocol, proxy, timeout, or the caller's abort.
import { Enable3Error, type Enable3ErrorCode, type ErrorContext } from "./base.js";

/**
 * The request never got an HTTP response: the connection was refused or reset (even mid-body), or DNS
 * failed. Retried by default; when it persists, check the network path to the API (and the base URL).
 * The base class of the TLS, protocol and proxy failures below, which are not retried.
 */
export class Enable3ConnectionError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ConnectionError";
  constructor(message: string, context: ErrorContext = {}, code: Enable3ErrorCode = "connection_failed") {
    super(message, context, code);
  }
}

/** What was wrong with a TLS connection (see {@link Enable3TlsError.reason}). */
export type TlsFailureReason =
  | "untrusted-certificate"
  | "wrong-host"
  | "expired-certificate"
  | "certificate-not-yet-valid"
  | "not-tls"
  | "handshake-failed";

/**
 * The TLS connection to `host` failed: a certificate this machine does not trust (a proxy or firewall
 * that re-signs TLS: add its CA with `NODE_EXTRA_CA_CERTS`), one for another host (check `baseUrl`),
 * an expired one, or a port that does not speak TLS. Not retried: the next attempt meets the same
 * certificate. The message names the problem and what to do.
 */
export class Enable3TlsError extends Enable3ConnectionError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3TlsError";
  /** The host whose certificate or handshake failed. */
  readonly host: string;
  /** What was wrong, as a stable name. */
  readonly reason: TlsFailureReason;
  constructor(message: string, host: string, reason: TlsFailureReason, context: ErrorContext = {}) {
    super(message, context, "tls_failed");
    this.host = host;
    this.reason = reason;
  }
}

/**
 * The server (or something between: a proxy, a load balancer) answered with bytes that are not valid
 * HTTP (a duplicate Content-Length, a bad chunk, a NUL in a header, headers over Node's limit, a switch
 * of protocol), or a body that does not decode. Not retried: find what rewrites the responses.
 */
export class Enable3ProtocolError extends Enable3ConnectionError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ProtocolError";
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context, "protocol_error");
  }
}

/**
 * The proxy (the `proxy` option, or HTTPS_PROXY/HTTP_PROXY) could not be reached, or refused the tunnel
 * to the API (`status`, its answer to CONNECT: 407 wants credentials in the proxy URL, 403 an allow-list
 * entry for the API's host). Retried when the proxy was unreachable or answered a status in `retryOnStatus`.
 */
export class Enable3ProxyError extends Enable3ConnectionError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ProxyError";
  /** The proxy's URL, credentials redacted. */
  readonly proxy: string;
  /** The proxy's answer to CONNECT; undefined when it could not be reached. */
  readonly status: number | undefined;
  constructor(message: string, proxy: string, status: number | undefined, context: ErrorContext = {}) {
    super(message, context, "proxy_failed");
    this.proxy = proxy;
    this.status = status;
  }
}

/**
 * An attempt exceeded `timeoutMs`, or the whole call its `deadlineMs`. Retried by default. The server
 * may still have processed it: resend with the same id (the error's `id` or `requestId`); whether
 * Enable3 drops the repeat is Enable3's to guarantee (it documents no de-duplication by id).
 */
export class Enable3TimeoutError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3TimeoutError";
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context, "timeout");
  }
}

/**
 * The caller's AbortSignal fired. Never retried. `code` is `"not_sent"` (and `attempts` 0) for bulk
 * items that were read but never sent because their run was aborted first.
 */
export class Enable3AbortError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3AbortError";
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context, "aborted");
  }
}
