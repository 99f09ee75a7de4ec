// examples/callback-server run as documented, each framework on a real socket: node:http, Express 5,
// Fastify 5 and Hono (@hono/node-server) as processes of their own, the fetch-style handler called
// with real Requests. The same deliveries to each: paid once, duplicates answered 200 without a second
// payout, bad signatures 401, bad payloads 400, and a client that drops mid-body changes nothing.
// The usual mistakes (a global express.json(), Fastify's JSON parser, Hono's c.req.json()) are
// answered 500 with the setting to change.
import { connect } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { formatCallbackDate, signCallback } from "../../src/callback.js";
import { type Started, startScript } from "../helpers/process.js";
import { registerTeardown } from "../helpers/teardown.js";

const SECRET = "example-secret-93a1";
const PREVIOUS = "example-secret-previous-12";
const ENV = { ENABLE3_CALLBACK_SECRET: SECRET, ENABLE3_CALLBACK_SECRET_PREVIOUS: PREVIOUS };

/** A callback body as Enable3 writes it: 100.00 stays 100.00, createdAt from the library's own writer. */
const callback = (transactionId: string) =>
  `{"userId":"player-42","optionId":"","amount":100.00,"tokenAmount":10000,"tokenRate":0.01,"transactionId":"${transactionId}","createdAt":"${formatCallbackDate(new Date())}"}`;

type Post = (body: string, headers?: Record<string, string>) => Promise<{ status: number; body: Record<string, unknown> }>;

function poster(send: (body: string, headers: Record<string, string>) => Promise<Response>): Post {
  return async (body, headers = { "x-request-signature": signCallback(body, SECRET) }) => {
    const response = await send(body, { "content-type": "application/json", ...headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

/** The deliveries every example must answer alike; `payouts` counts a transaction's payout lines. */
function deliveries(name: string, post: () => Post, payouts: (transactionId: string) => number) {
  const tx = (n: string) => `${name}-${n}`;

  it("pays a signed withdrawal once; its duplicates get the same 200 and no second payout", async () => {
    const body = callback(tx("once"));
    expect(await post()(body)).toEqual({ status: 200, body: { status: "processed", transactionId: tx("once"), duplicate: false } });
    expect(await post()(body)).toEqual({ status: 200, body: { status: "processed", transactionId: tx("once"), duplicate: true } });
    const burst = await Promise.all(Array.from({ length: 20 }, () => post()(callback(tx("burst")))));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(payouts(tx("once"))).toBe(1);
    expect(payouts(tx("burst"))).toBe(1);
  });

  it("verifies with the previous secret during a rotation; refuses a bad signature (401) and a bad payload (400)", async () => {
    const old = callback(tx("rotated"));
    expect((await post()(old, { "x-request-signature": signCallback(old, PREVIOUS) })).status).toBe(200);
    const body = callback(tx("refused"));
    expect(await post()(body, {})).toMatchObject({ status: 401, body: { error: "missing-signature" } });
    expect(await post()(body, { "x-request-signature": signCallback(body, "wrong") })).toMatchObject({
      status: 401,
      body: { error: "signature-mismatch" },
    });
    const missing = '{"userId":"u"}';
    expect(await post()(missing, { "x-request-signature": signCallback(missing, SECRET) })).toMatchObject({
      status: 400,
      body: { error: "invalid-payload" },
    });
    expect(payouts(tx("refused"))).toBe(0);
  });
}

/** A client that sends half a body and disconnects, three times: the server must go on serving. */
async function abortMidBody(url: string) {
  const { port, hostname, pathname } = new URL(url);
  for (let i = 0; i < 3; i++) {
    const socket = connect(Number(port), hostname);
    registerTeardown(() => socket.destroy());
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(`POST ${pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"userId":`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
  }
}

describe.each([
  ["node:http", "server.mjs"],
  ["Express 5", "express.mjs"],
  ["Fastify 5", "fastify.mjs"],
  ["Hono", "hono.mjs"],
])("callback-server example on %s", (_name, file) => {
  let server: Started;
  beforeAll(async () => {
    server = await startScript(`examples/callback-server/${file}`, ENV);
  });
  const name = file.replace(".mjs", "");
  const payouts = (transactionId: string) => server.output().split(`(transaction ${transactionId})`).length - 1;
  deliveries(name, () => poster((body, headers) => fetch(server.url, { method: "POST", body, headers })), payouts);

  it("goes on serving after clients that drop mid-body, and never prints the secret", async () => {
    await abortMidBody(server.url);
    const body = callback(`${name}-after-abort`);
    const post = poster((raw, headers) => fetch(server.url, { method: "POST", body: raw, headers }));
    expect((await post(body)).status).toBe(200);
    expect(server.child.exitCode).toBe(null);
    expect(server.output()).not.toMatch(/Error|unhandled/i);
    expect(server.output()).not.toContain(SECRET);
    // no DATABASE_URL: the example says its marks are in memory only (a restart forgets them)
    expect(server.output()).toContain("memoryStore: processed withdrawals are kept in memory only");
  });
});

describe("callback-server example as a fetch-style handler", () => {
  let handler: { fetch(request: Request): Response | Promise<Response> };
  const lines: string[] = [];
  beforeAll(async () => {
    Object.assign(process.env, ENV);
    const log = console.log;
    console.log = (line: string) => void lines.push(line);
    registerTeardown(() => {
      console.log = log;
    });
    handler = (await import("../../examples/callback-server/fetch.mjs")).default;
  });
  deliveries(
    "fetch",
    () =>
      poster(async (body, headers) => handler.fetch(new Request("http://127.0.0.1/enable3/callback", { method: "POST", body, headers }))),
    (transactionId) => lines.filter((l) => l.includes(`(transaction ${transactionId})`)).length,
  );
});

describe("frameworks that read the body first", () => {
  let urls: { express: string; fastify: string; hono: string };
  let server: Started;
  beforeAll(async () => {
    server = await startScript("test/fixtures/callback/misconfigured.mjs", ENV, /^(\{.*\})$/m);
    urls = JSON.parse(server.url);
  });

  it.each([
    ["express", /register the callback route before app\.use\(express\.json\(\)\)/],
    ["fastify", /Fastify: .*addContentTypeParser\("\*"/],
    ["hono", /Hono: pass c\.req\.raw/],
  ] as const)("%s: 500 with a message naming the setting to change, and no payout", async (framework, advice) => {
    const body = callback(`misconfigured-${framework}`);
    const response = await fetch(urls[framework], {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-request-signature": signCallback(body, SECRET) },
    });
    expect(response.status).toBe(500);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe("body-consumed");
    expect(answer.message).toMatch(advice);
    expect(server.output()).not.toContain(`paid misconfigured-${framework}`);
  });

  it("express.json() ahead of the route, a body of another content type: left unread by it, read and paid by the receiver", async () => {
    const body = callback("misconfigured-express-text");
    const response = await fetch(urls.express, {
      method: "POST",
      body,
      headers: { "content-type": "text/plain", "x-request-signature": signCallback(body, SECRET) },
    });
    expect(response.status).toBe(200);
    expect(server.output()).toContain("paid misconfigured-express-text");
  });
});
