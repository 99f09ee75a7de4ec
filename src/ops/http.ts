// The operations page's two adapters: a fetch Request or a node:http request made into one shape, and
// an answer written back to either. Content negotiation (JSON or the page) is decided here.
import { type BodyLimits, type BodyRead, type NodeRequest, readNodeBody } from "../callback/raw-body.js";
import type { NodeResponse } from "../callback/receiver.js";

/** The parts of a node:http request the page uses: `http.IncomingMessage` and Express's `req` fit. */
export interface OpsNodeRequest extends NodeRequest {
  /** The path and query (Express gives the part below where it was mounted). */
  readonly url?: string | undefined;
}

/** A request, whichever adapter it came through. */
export interface OpsRequest {
  method: string;
  url: URL;
  /** The host the request was sent to (`Host`), as an `Origin` would name it. */
  host: string;
  headers: { get(name: string): string | null };
  /** The raw body. */
  read(): Promise<BodyRead>;
  /** Fields a framework already parsed from the body (Express's urlencoded or json parser), if any. */
  parsed: Record<string, unknown> | undefined;
}

/** An answer, before an adapter writes it. */
export interface OpsAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" };

export function json(status: number, body: unknown): OpsAnswer {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

export function fromFetch(request: Request, read: () => Promise<BodyRead>): OpsRequest {
  const url = new URL(request.url);
  return { method: request.method, url, host: request.headers.get("host") ?? url.host, headers: request.headers, read, parsed: undefined };
}

export function fromNode(req: OpsNodeRequest, limits: BodyLimits): OpsRequest {
  const header = (name: string): string | null => {
    const value = req.headers[name];
    return value === undefined ? null : typeof value === "string" ? value : value.join(", ");
  };
  const host = header("host") ?? "localhost";
  const body = req.body;
  const fields = body !== null && typeof body === "object" && !(body instanceof Uint8Array) ? (body as Record<string, unknown>) : undefined;
  // an empty object is what Express 4's parsers leave when the type was not theirs: the stream is unread
  const parsed = fields && Object.keys(fields).length > 0 ? fields : undefined;
  const unparsed: NodeRequest = {
    headers: req.headers,
    get readableEnded() {
      return req.readableEnded;
    },
    on: (event, listener) => req.on(event, listener),
    removeListener: (event, listener) => req.removeListener(event, listener),
    resume: () => req.resume(),
    destroy: () => req.destroy(),
  };
  const read = () => readNodeBody(fields && !parsed ? unparsed : req, limits);
  return { method: req.method ?? "GET", url: new URL(req.url ?? "/", `http://${host}`), host, headers: { get: header }, read, parsed };
}

/** `?format=json`, or an Accept that asks for JSON rather than HTML. */
export function wantsJson(request: OpsRequest): boolean {
  const format = request.url.searchParams.get("format");
  if (format !== null) return format === "json";
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** Writes the answer, unless something else already answered or the client is gone. */
export function writeNode(res: NodeResponse, answer: OpsAnswer, head: boolean): void {
  if (res.headersSent) return;
  try {
    res.writeHead(answer.status, answer.headers);
    res.end(head ? "" : answer.body);
  } catch {
    // the socket is gone: nobody is left to answer
  }
}
