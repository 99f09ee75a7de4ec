// The withdrawal receiver's node:http adapter on a real server on 127.0.0.1: clients that stall, send
// too much or go away mid-body are answered or dropped without the server noticing, and a body a
// framework already took is reported with the setting to change.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { describe, expect, it, vi } from "vitest";
import {
  createWithdrawalReceiver,
  formatCallbackDate,
  memoryStore,
  signCallback,
  type WithdrawalReceiverOptions,
} from "../../src/callback.js";
import { listenOnLoopback } from "../helpers/listen.js";
import { registerTeardown } from "../helpers/teardown.js";

/** Today: a callback dated further back than retentionMs (30 days) is refused. */
const CREATED_AT = formatCallbackDate(new Date());

const SECRET = "node-receiver-secret-31";
const body = (transactionId: string) =>
  `{"userId":"player-42","amount":25.50,"tokenAmount":2550,"tokenRate":0.01,"transactionId":"${transactionId}","createdAt":"${CREATED_AT}"}`;

async function serve(
  before: (req: IncomingMessage & { body?: unknown }) => void | Promise<void> = () => {},
  options: Partial<WithdrawalReceiverOptions<undefined>> = {},
) {
  const paid: string[] = [];
  const logger = { error: vi.fn(), warn: vi.fn() };
  const receiver = createWithdrawalReceiver({
    secrets: [SECRET],
    store: memoryStore(),
    logger,
    onWithdrawal: (w) => void paid.push(w.transactionId),
    ...options,
  });
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    await before(req);
    await receiver.node(req, res);
  });
  const port = await listenOnLoopback(server);
  const url = `http://127.0.0.1:${port}/enable3/callback`;
  const post = async (raw: string, signature = signCallback(raw, SECRET)) => {
    const response = await fetch(url, { method: "POST", body: raw, headers: { "x-request-signature": signature } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** A raw socket, to misbehave as no fetch would. */
  const socket = async () => {
    const s = connect(port, "127.0.0.1");
    registerTeardown(() => s.destroy());
    await new Promise<void>((resolve) => s.once("connect", () => resolve()));
    let received = "";
    s.on("data", (d: Buffer) => (received += d.toString()));
    const closed = new Promise<void>((resolve) => s.once("close", () => resolve()));
    return { s, received: () => received, closed };
  };
  return { paid, post, socket, logger };
}

describe("receiver.node", () => {
  it("pays once, answers the duplicate with the same 200, refuses a bad signature with 401", async () => {
    const { paid, post } = await serve();
    expect(await post(body("n-1"))).toMatchObject({ status: 200, body: { status: "processed", duplicate: false } });
    expect(await post(body("n-1"))).toMatchObject({ status: 200, body: { status: "processed", duplicate: true } });
    expect(await post(body("n-2"), signCallback(body("n-2"), "wrong"))).toMatchObject({
      status: 401,
      body: { error: "signature-mismatch" },
    });
    expect(paid).toEqual(["n-1"]);
  });

  it("a client that disconnects mid-body does not crash the server, which goes on serving", async () => {
    const { paid, post, socket } = await serve();
    for (let i = 0; i < 3; i++) {
      const { s, closed } = await socket();
      s.write(
        `POST /enable3/callback HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\nX-Request-Signature: ${"A".repeat(86)}==\r\n\r\n{"userId":`,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      s.destroy();
      await closed;
    }
    expect(await post(body("n-after"))).toMatchObject({ status: 200 });
    expect(paid).toEqual(["n-after"]);
  });

  it("a stalled upload gets 408 and its connection closed after bodyTimeoutMs", async () => {
    const { socket } = await serve(undefined, { bodyTimeoutMs: 150 });
    const { s, received, closed } = await socket();
    s.write('POST /enable3/callback HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"partial":');
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(received()).toMatch(/connection: close/i);
    expect(received()).toContain('"error":"body-timeout"');
  });

  it("413 for a declared Content-Length over the cap (nothing read) and for a chunked body that grows past it", async () => {
    const { socket, paid } = await serve(undefined, { maxBodyBytes: 1024 });
    const declared = await socket();
    declared.s.write("POST /enable3/callback HTTP/1.1\r\nHost: x\r\nContent-Length: 67108864\r\n\r\n");
    await declared.closed;
    expect(declared.received()).toMatch(/^HTTP\/1\.1 413 /);

    const chunked = await socket();
    chunked.s.write("POST /enable3/callback HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (let i = 0; i < 4; i++) chunked.s.write(`200\r\n${"x".repeat(512)}\r\n`);
    await chunked.closed;
    expect(chunked.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(paid).toEqual([]);
  });

  it("takes the bytes express.raw() left in req.body as they are", async () => {
    const { post, paid } = await serve(async (req) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      req.body = Buffer.concat(chunks);
    });
    expect((await post(body("n-raw"))).status).toBe(200);
    expect(paid).toEqual(["n-raw"]);
  });

  it("a body a parser already turned into an object: 500, with the Express setting to change", async () => {
    const { post, logger } = await serve(async (req) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      req.body = JSON.parse(Buffer.concat(chunks).toString());
    });
    const answer = await post(body("n-json"));
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ error: "body-consumed", message: expect.stringMatching(/before app\.use\(express\.json\(\)\)/) });
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it("a stream already read to its end: 500, with the Fastify setting to change", async () => {
    const { post } = await serve(async (req) => {
      for await (const _chunk of req) {
        // a content-type parser reading the body
      }
    });
    const answer = await post(body("n-read"));
    expect(answer.status).toBe(500);
    expect(answer.body.message).toMatch(/Fastify: .*addContentTypeParser/);
  });
});
