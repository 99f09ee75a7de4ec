// A real HTTP server on 127.0.0.1 that a test scripts request by request, and that records what it got.
// It closes itself when the test (or, started in a hook, the file) that started it ends.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { closeLoopback, listenOnLoopback, openSockets } from "./listen.js";

export interface RecordedRequest {
  method: string;
  /** Raw request target as received: path and query, nothing decoded. */
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Handler = (request: RecordedRequest, response: ServerResponse, index: number) => void | Promise<void>;

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  /** A server-side delay that close() clears, so no test leaves a timer behind. */
  later(ms: number, fn: () => void): void;
  close(): Promise<void>;
  /** The connections open now. */
  sockets(): Socket[];
}

export async function startScriptedServer(handler: Handler): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
    const index = requests.push(recorded) - 1;
    try {
      await handler(recorded, res, index);
    } catch {
      res.destroy();
    }
  });
  const port = await listenOnLoopback(server, () => {
    for (const timer of timers) clearTimeout(timer);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    later(ms, fn) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
    },
    close: () => closeLoopback(server),
    sockets: () => openSockets(server),
  };
}

/** Answers with a status, optional body and headers. */
export function reply(res: ServerResponse, status: number, body?: string | object, headers: Record<string, string> = {}) {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "object" ? { "content-type": "application/json" } : {};
  res.writeHead(status, { ...type, ...headers });
  res.end(text);
}
