// One way to hear of a hook that threw (internal/hook-guard.ts): the client, the outbox and the
// withdrawal receiver word it alike, once per hook, through the component's logger when it has one
// and as a process warning when it has none.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWithdrawalReceiver, memoryStore, signCallback } from "../../src/callback.js";
import { createOutbox, fileStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const line = (owner: string, hook: string) =>
  `[enable3] the ${owner}'s ${hook} hook threw (Error: hook down); the ${owner} went on, and later throws of this hook are not reported`;
const throws = () => {
  throw new Error("hook down");
};

let warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.message);
beforeEach(() => {
  warnings = [];
  process.on("warning", onWarning);
});
afterEach(() => {
  process.off("warning", onWarning);
});
const nextTick = () => new Promise((r) => setImmediate(r));

const SECRET = "hook-failures-secret";
function callback(transactionId: string): Request {
  const body = JSON.stringify({
    userId: "u",
    amount: 1,
    tokenAmount: 100,
    tokenRate: 0.01,
    transactionId,
    createdAt: new Date().toISOString(),
  });
  const headers = { "content-type": "application/json", "x-request-signature": signCallback(body, SECRET) };
  return new Request("http://operator.example/callback", { method: "POST", headers, body });
}

describe("a hook that throws", () => {
  it("of the client: told once through its logger, else as a process warning", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const logged: string[] = [];
    const logger = { error() {}, warn: (l: string) => logged.push(l), info() {}, debug() {} };
    const withLogger = clientFor(server.url, { logger, logLevel: "warn", hooks: { onRequest: throws } });
    const without = clientFor(server.url, { hooks: { onRequest: throws } });
    for (const client of [withLogger, without, withLogger, without]) await client.sendEvent({ userId: "u", eventId: "e", value: 1 });
    await nextTick();
    expect(logged).toEqual([line("client", "onRequest")]);
    expect(warnings).toEqual([line("client", "onRequest")]);
  });

  it("of the outbox: told once as a process warning (it has no logger)", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const outbox = createOutbox(clientFor(server.url), { store: fileStore(await makeTempDir("hook-failures")), onDelivered: throws });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    for (let i = 0; i < 3; i++) await outbox.enqueue({ userId: "u", eventId: "e", value: i });
    await outbox.flush();
    await nextTick();
    expect(warnings).toEqual([line("outbox", "onDelivered")]);
  });

  it("of the withdrawal receiver: told once through its logger, else (logger: null) as a process warning", async () => {
    const logged: string[] = [];
    const base = { secrets: [SECRET], onWithdrawal() {}, onProcessed: throws };
    const withLogger = createWithdrawalReceiver({ ...base, store: memoryStore(), logger: { error() {}, warn: (l) => logged.push(l) } });
    const without = createWithdrawalReceiver({ ...base, store: memoryStore(), logger: null });
    for (const [i, receiver] of [withLogger, without, withLogger, without].entries())
      expect((await receiver.fetch(callback(`tx-${i}`))).status).toBe(200);
    await nextTick();
    expect(logged).toEqual([line("withdrawal receiver", "onProcessed")]);
    expect(warnings).toEqual([line("withdrawal receiver", "onProcessed")]);
  });
});
