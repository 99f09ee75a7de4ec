// createOpsHandler over fetch and node:http: the JSON figures read from a real outbox and receiver, the
// page's headers (a strict CSP with a fresh nonce), escaping of what the API said, and the write guard:
// read-only by default, then same-origin with the page's token only.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { createOpsHandler, type OpsFigures } from "../../src/ops.js";
import { createOutbox, fileStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { listenOnLoopback } from "../helpers/listen.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { expectUnknownOption } from "../helpers/unknown-option.js";
import { busyReceiver, HOSTILE_REASON, outboxWithDead, servePage } from "./fixture.js";

const getJson = async (url: string) => (await (await fetch(`${url}?format=json`)).json()) as OpsFigures;

describe("the JSON figures", () => {
  it("the outbox's counts, history and dead records, and the receiver's deliveries by outcome and reason", async () => {
    const { outbox, deadIds } = await outboxWithDead({ dead: 2, delivered: 3 });
    const receiver = await busyReceiver();
    const { url } = await servePage({ outbox, receiver });
    const viaAccept = (await (await fetch(url, { headers: { accept: "application/json" } })).json()) as OpsFigures;
    const figures = await getJson(url);
    expect(viaAccept.outbox).toEqual(figures.outbox);
    expect(figures.writes).toBe(false);
    expect(figures.csrfToken).toBeUndefined();
    expect(figures.outbox).toMatchObject({
      state: "open",
      paused: false,
      problem: null,
      pending: 0,
      inFlight: 0,
      dead: 2,
      deliveredLastHour: 3,
      delivered: 3,
      deadRecordsError: null,
    });
    expect(figures.outbox!.minutes).toHaveLength(60);
    expect(figures.outbox!.deadRecords.map((r) => r.id).sort()).toEqual([...deadIds].sort());
    expect(figures.outbox!.deadRecords[0]).toMatchObject({ kind: "event", attempts: 1, status: 422, code: "http_error" });
    expect(figures.outbox!.deadRecords[0]!.reason).toContain(HOSTILE_REASON);
    expect(Date.parse(figures.outbox!.deadRecords[0]!.enqueuedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(figures.receiver!.total).toEqual({
      processed: 1,
      duplicate: 1,
      refused: 2,
      failed: 0,
      refusals: { "signature-mismatch": 1, "malformed-signature": 1 },
      failures: {},
    });
  });

  it("segment records by kind and the user held back behind a pending change, and for how long, in the JSON and on the page", async () => {
    let refuse = true;
    const api = await startScriptedServer((req, res) => reply(res, refuse && req.body.includes('"u1"') ? 503 : 201));
    const outbox = createOutbox(clientFor(api.url), {
      store: fileStore(await makeTempDir("enable3-ops-held")),
      initialDelayMs: 20,
      maxDelayMs: 60,
    });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    await outbox.assignSegments([{ userId: "u1", segmentIds: ["vip"] }]);
    await outbox.removeSegments([{ userId: "u1", segmentIds: ["vip"] }]);
    await expect.poll(() => api.requests.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const { url } = await servePage({ outbox });
    const { outbox: figures } = await getJson(url);
    expect(figures).toMatchObject({ pendingByKind: { assignSegments: 1, removeSegments: 1 }, reportError: null });
    expect(figures!.heldBack).toEqual([{ key: "u1", waiting: 1, pendingForMs: expect.any(Number) }]);
    const page = await (await fetch(url)).text();
    expect(page).toMatch(/<tr data-held-key="u1"><td>u1<\/td><td>1<\/td><td>[^<]+<\/td><\/tr>/);
    refuse = false;
    await outbox.flush({ timeoutMs: 20_000 });
  });

  it("a paused outbox (the API refuses the key): paused, and why, in the JSON and on the page", async () => {
    const api = await startScriptedServer((_req, res) => reply(res, 401, { message: "invalid api key" }));
    const outbox = createOutbox(clientFor(api.url, { maxRetries: 0 }), { store: fileStore(await makeTempDir("enable3-ops")) });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    await outbox.enqueue({ userId: "u1", eventId: "deposit", value: 1 });
    await expect.poll(() => outbox.stats().state).toBe("paused");
    const { url } = await servePage({ outbox });
    const { outbox: figures } = await getJson(url);
    expect(figures).toMatchObject({ state: "paused", paused: true, dead: 0 });
    // the one event: pending, or in flight while the paused outbox's probe asks the API again
    expect(figures!.pending + figures!.inFlight).toBe(1);
    expect(figures!.problem).toMatch(/401/);
    const html = await (await fetch(url)).text();
    expect(html).toMatch(/<p class="alert" data-figure="outbox.problem"><strong>paused:<\/strong> [^<]*401/);
  });

  it("the page: a strict CSP whose nonce is the style's, fresh per answer; every text from the API escaped", async () => {
    const { outbox } = await outboxWithDead({ dead: 1, delivered: 0 });
    const { url } = await servePage({ outbox });
    const [a, b] = [await fetch(url, { headers: { accept: "text/html" } }), await fetch(url)];
    const policy = a.headers.get("content-security-policy")!;
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).not.toMatch(/unsafe|script-src/);
    const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
    const html = await a.text();
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(b.headers.get("content-security-policy")).not.toContain(nonce);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>0</b>");
    expect(html).toContain("&#60;img src=x onerror=&#34;window.__pwned=1&#34;&#62;unknown eventId &#38; &#34;quotes&#34;"); // the reason, as text
    expect(html).toContain("bad-&#60;b&#62;0&#60;/b&#62;");
    expect(html).not.toMatch(/<form/); // read-only: no write forms
    expect(a.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("writes", () => {
  it("read-only by default: a POST is answered 403 and nothing is replayed", async () => {
    const { outbox } = await outboxWithDead({ dead: 1, delivered: 0 });
    const { url, origin } = await servePage({ outbox });
    const answer = await fetch(url, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: '{"action":"replay","all":true}',
    });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ error: "read-only" });
    expect(outbox.stats().dead).toBe(1);
  });

  it("allowed: a same-origin POST with the token replays; without it, or from another origin, 403", async () => {
    const { outbox, deadIds, accept, api } = await outboxWithDead({ dead: 2, delivered: 0 });
    const { url, origin } = await servePage({ outbox, allowWrites: true });
    const { csrfToken } = await getJson(url);
    expect(csrfToken).toMatch(/^\d+\.[0-9a-f]{64}$/);
    const post = (headers: Record<string, string>, body: object) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    const replay = { action: "replay", ids: [deadIds[0]] };
    expect((await post({ origin }, replay)).status).toBe(403); // no token
    const wrong = `${csrfToken!.slice(0, -1)}${csrfToken!.endsWith("0") ? "1" : "0"}`; // its last digit changed
    expect((await post({ origin }, { ...replay, token: wrong })).status).toBe(403);
    expect((await post({ origin: "http://evil.example" }, { ...replay, token: csrfToken })).status).toBe(403);
    expect((await post({ "sec-fetch-site": "cross-site", origin }, { ...replay, token: csrfToken })).status).toBe(403);
    expect((await post({}, { ...replay, token: csrfToken })).status).toBe(403); // neither header
    expect(
      (
        await createOpsHandler({ outbox, allowWrites: true }).fetch(
          new Request(url, {
            method: "POST",
            headers: { origin, "content-type": "application/json" },
            body: JSON.stringify({ ...replay, token: csrfToken }),
          }),
        )
      ).status,
    ).toBe(403); // another handler's token
    expect(outbox.stats().dead).toBe(2);
    accept(deadIds[0]!);
    const ok = await post({ origin }, { ...replay, token: csrfToken });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ action: "replay", replayed: 1 });
    await outbox.flush();
    expect(outbox.stats().dead).toBe(1);
    expect(api.requests.filter((r) => r.body.includes(JSON.stringify(deadIds[0]).slice(1, -1)))).toHaveLength(2);
  });

  it("a form POST is answered with a redirect back to the page, which says what was done", async () => {
    const { outbox, deadIds, accept } = await outboxWithDead({ dead: 1, delivered: 0 });
    const { url, origin } = await servePage({ outbox, allowWrites: true });
    const { csrfToken } = await getJson(url);
    accept(deadIds[0]!);
    const form = new URLSearchParams({ action: "replay", token: csrfToken!, id: deadIds[0]! });
    const answer = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { origin, "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("?done=replayed&n=1");
    expect(await (await fetch(`${url}?done=replayed&n=1`)).text()).toContain("Replayed 1 dead record:");
    expect(await (await fetch(`${url}?done=<i>x</i>`)).text()).not.toContain("<i>x");
  });

  it("purge: the outbox's purge() with olderThanDays from the form; records younger than that stay", async () => {
    const { outbox } = await outboxWithDead({ dead: 1, delivered: 0 });
    const { url, origin } = await servePage({ outbox, allowWrites: true });
    const deadCount = async () => {
      let n = 0;
      for await (const _ of outbox.dead()) n++;
      return n;
    };
    for (const [days, purged] of [
      ["30", 0],
      ["0", 1],
    ] as const) {
      const { csrfToken } = await getJson(url);
      const body = new URLSearchParams({ action: "purge", token: csrfToken!, olderThanDays: days });
      const answer = await fetch(url, {
        method: "POST",
        redirect: "manual",
        headers: { origin, "content-type": "application/x-www-form-urlencoded" },
        body,
      });
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toBe(`?done=purged&n=${purged}`);
    }
    expect(await deadCount()).toBe(0);
  });

  it("mounted in Express 5 behind express.urlencoded(), or after a parser that left {} (Express 4's for other types): a form replay works", async () => {
    const { outbox, deadIds, accept } = await outboxWithDead({ dead: 2, delivered: 0 });
    const ops = createOpsHandler({ outbox, allowWrites: true });
    // express 5 ships no types: the slice used here
    type App = ((req: IncomingMessage, res: ServerResponse) => void) & { use(path: string, ...handlers: unknown[]): void };
    const express = (await import("express" as string)).default as (() => App) & { urlencoded(o: object): unknown };
    const app = express();
    app.use("/parsed", express.urlencoded({ extended: false }), ops.node);
    // what Express 4's json parser leaves for a form: {} in req.body, the stream unread
    const emptyBody = (req: { body?: unknown }, _res: unknown, next: () => void) => {
      req.body = {};
      next();
    };
    app.use("/empty", emptyBody, ops.node);
    const origin = `http://127.0.0.1:${await listenOnLoopback(createServer(app))}`;
    for (const [i, mount] of ["/parsed", "/empty"].entries()) {
      const { csrfToken } = (await (await fetch(`${origin}${mount}?format=json`)).json()) as OpsFigures;
      accept(deadIds[i]!);
      const body = new URLSearchParams({ action: "replay", token: csrfToken!, id: deadIds[i]! });
      const answer = await fetch(`${origin}${mount}`, {
        method: "POST",
        redirect: "manual",
        headers: { origin, "content-type": "application/x-www-form-urlencoded" },
        body,
      });
      expect(answer.status, mount).toBe(303);
    }
    await outbox.flush();
    expect(outbox.stats().dead).toBe(0);
  });

  it("other methods: 405; bad options refused when the handler is made", async () => {
    const { url } = await servePage({});
    expect((await fetch(url, { method: "DELETE" })).status).toBe(405);
    expect(() => createOpsHandler({ outbox: {} as never })).toThrow(/options\.outbox/);
    expect(() => createOpsHandler({ allowWrites: "yes" as never })).toThrow(/options\.allowWrites/);
    await expectUnknownOption(() => createOpsHandler({ allowWrite: true } as never), "options.allowWrite", "allowWrites");
  });
});
