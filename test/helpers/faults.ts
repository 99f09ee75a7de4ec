// Server-side faults the transport must survive, each a real HTTP behaviour over loopback.
import type { ServerResponse } from "node:http";
import { reply, type ScriptedServer } from "./http-server.js";

export const BALANCE = { balance: "10.50", userExists: true };

/** Headers and half a body, then the connection is cut. */
export function resetMidResponse(res: ServerResponse) {
  const body = JSON.stringify(BALANCE);
  res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) });
  res.write(body.slice(0, 5));
  res.socket?.destroy();
}

/** Headers at once, the rest of the body after `ms`. */
export function slowBody(server: ScriptedServer, res: ServerResponse, ms: number) {
  const body = JSON.stringify(BALANCE);
  res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) });
  res.write(body.slice(0, 5));
  server.later(ms, () => res.end(body.slice(5)));
}

export const ok = (res: ServerResponse) => reply(res, 200, BALANCE);
export const htmlBadGateway = (res: ServerResponse) =>
  reply(res, 502, "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>", {
    "content-type": "text/html",
  });
export const emptyServerError = (res: ServerResponse) => reply(res, 500);
export const malformedJson = (res: ServerResponse) => reply(res, 200, '{"balance": "1', { "content-type": "application/json" });
