// The raw body of a delivery, read by the receiver itself (the signature covers these exact bytes),
// from a fetch Request or a node:http request: capped in size, bounded in time, and never throwing
// for a client that stalls or goes away. A body a framework already read is reported with the
// setting to change, since its exact bytes are gone.

/**
 * What the withdrawal receiver says when a framework read the body before it
 * could: the exact bytes the signature covers are gone, so each message names the setting to change.
 */
const callbackMessages = {
  requestBodyUsed:
    "receiver.fetch got a Request whose body was already read (request.bodyUsed): hand it the untouched Request. " +
    "Hono: pass c.req.raw and call no c.req.json(), c.req.text(), c.req.parseBody() or validator before it; " +
    "Next.js route handlers: do not read the request first.",
  nodeBodyParsed: (kind: string) =>
    `receiver.node found req.body already set (${kind === "string" ? "a string" : "a parsed object"}): a body parser read the ` +
    "request before the receiver could see the exact bytes the signature covers. Express: register the callback route " +
    "before app.use(express.json()) (or give that route express.raw({ type: () => true })); Next.js API routes: " +
    "export const config = { api: { bodyParser: false } }.",
  nodeStreamRead:
    "receiver.node got a request whose body stream had already been read to its end: something before it consumed the " +
    "bytes the signature covers. Fastify: in the callback route's plugin, replace the JSON content-type parser with one " +
    'that leaves the body unread (instance.removeAllContentTypeParsers(); instance.addContentTypeParser("*", (request, payload, done) => done(null))), ' +
    "then call reply.hijack() and pass request.raw and reply.raw; Express: no body parser ahead of the route.",
} as const;

/** The limits of one read. */
export interface BodyLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** What reading gave: the bytes, or why there are none. */
export type BodyRead =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; problem: "body-too-large" | "body-timeout" | "body-aborted" }
  | { ok: false; problem: "body-consumed"; message: string };

/**
 * The parts of a node:http request the receiver uses: `http.IncomingMessage`, Express's `req` and
 * Fastify's `request.raw` all fit.
 */
export interface NodeRequest {
  /** The request method. */
  readonly method?: string | undefined;
  /** The request headers, lower-cased. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Set by a framework's body parser that already read the stream (Express's express.json, Next.js). */
  readonly body?: unknown;
  /** True once the stream has been read to its end. */
  readonly readableEnded?: boolean;
  /** Listens to the stream: `data`, `end`, `error`, `close`. */
  on(event: "data" | "end" | "error" | "close", listener: (value?: unknown) => void): unknown;
  /** Stops listening. */
  removeListener(event: "data" | "end" | "error" | "close", listener: (value?: unknown) => void): unknown;
  /** Reads on and discards (after a refusal, so the client can read the answer). */
  resume(): unknown;
  /** Closes the connection. */
  destroy(): unknown;
}

const refused = (problem: "body-too-large" | "body-timeout" | "body-aborted"): BodyRead => ({ ok: false, problem });

/** A declared Content-Length over the cap: refused before reading a byte. */
function declaredTooLarge(contentLength: string | null | undefined, maxBytes: number): boolean {
  const declared = Number(contentLength);
  return contentLength != null && Number.isFinite(declared) && declared > maxBytes;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** Reads a fetch Request's body. */
export async function readRequestBody(request: Request, limits: BodyLimits): Promise<BodyRead> {
  if (request.bodyUsed) return { ok: false, problem: "body-consumed", message: callbackMessages.requestBodyUsed };
  if (declaredTooLarge(request.headers.get("content-length"), limits.maxBytes)) return refused("body-too-large");
  if (request.body === null) return { ok: true, bytes: new Uint8Array() };
  const reader = request.body.getReader();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {});
  }, limits.timeoutMs);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timedOut) return refused("body-timeout");
      if (done) return { ok: true, bytes: concat(chunks, size) };
      size += value.length;
      if (size > limits.maxBytes) {
        reader.cancel().catch(() => {});
        return refused("body-too-large");
      }
      chunks.push(value);
    }
  } catch {
    return refused(timedOut ? "body-timeout" : "body-aborted");
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a node:http request's body, or takes the bytes express.raw() already read. */
export function readNodeBody(req: NodeRequest, limits: BodyLimits): Promise<BodyRead> {
  const parsed = req.body;
  if (parsed instanceof Uint8Array) {
    return Promise.resolve(parsed.length > limits.maxBytes ? refused("body-too-large") : { ok: true, bytes: parsed });
  }
  if (parsed !== undefined && parsed !== null) {
    return Promise.resolve({ ok: false, problem: "body-consumed", message: callbackMessages.nodeBodyParsed(typeof parsed) });
  }
  if (req.readableEnded) return Promise.resolve({ ok: false, problem: "body-consumed", message: callbackMessages.nodeStreamRead });
  const length = req.headers["content-length"];
  if (declaredTooLarge(typeof length === "string" ? length : undefined, limits.maxBytes)) return Promise.resolve(refused("body-too-large"));

  return new Promise<BodyRead>((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      clearTimeout(timer);
      req.removeListener("data", onData);
      req.removeListener("end", onEnd);
      req.removeListener("close", onClose);
      resolve(result);
    };
    const onData = (chunk?: unknown) => {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
      size += bytes.length;
      if (size > limits.maxBytes) finish(refused("body-too-large"));
      else chunks.push(bytes);
    };
    const onEnd = () => finish({ ok: true, bytes: concat(chunks, size) });
    // 'close' before 'end', or an 'error': the client went away mid-body
    const onClose = () => finish(refused("body-aborted"));
    const onError = () => finish(refused("body-aborted"));
    const timer = setTimeout(() => finish(refused("body-timeout")), limits.timeoutMs);
    // never removed: an error after the read is over (a reset while answering) must still find a listener
    req.on("error", onError);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
  });
}
