// Bulk sending accounts for every input exactly once, whatever the inputs or the server do.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type BulkReport, Enable3AbortError, Enable3ConflictError, Enable3ValidationError, type EventInput } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { resetMidResponse } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

const event = (i: number): EventInput => ({ id: `evt-${i}`, userId: `u${i % 97}`, eventId: "deposit", value: i });

/** Every index 0..n-1 once, across delivered and failed. */
function expectComplete(report: BulkReport, n: number) {
  const indexes = [...report.delivered.map((d) => d.index), ...report.failed.map((f) => f.index)].sort((a, b) => a - b);
  expect(indexes).toEqual(Array.from({ length: n }, (_, i) => i));
}

/** Deterministic "random": whether attempt `n` of event `id` fails, about 30% of the time, never past the 4th. */
const failsAt = (id: string, n: number) => n < 4 && createHash("sha1").update(`${id}#${n}`).digest()[0]! < 77;

describe("sendEvents", () => {
  it("600 events, 30% transient failures, a server that de-duplicates by id: every id acknowledged exactly once", async () => {
    const processed = new Map<string, number>();
    const attemptsById = new Map<string, number>();
    let inFlight = 0;
    let maxInFlight = 0;
    const server = await startScriptedServer((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.once("close", () => inFlight--);
      const { id } = JSON.parse(req.body);
      const n = (attemptsById.get(id) ?? 0) + 1;
      attemptsById.set(id, n);
      if (failsAt(id, n)) {
        // half the faults lose the answer after the event was stored: the retry is a duplicate
        if (n % 2 === 1) return reply(res, 503);
        processed.set(id, processed.get(id) ?? 0);
        return resetMidResponse(res);
      }
      processed.set(id, 1); // a duplicate is acknowledged, not counted twice
      reply(res, 201);
    });
    const enable3 = clientFor(server.url, { maxRetries: 5, initialDelayMs: 1, maxDelayMs: 4, retryBudget: false });
    const total = 600;
    const events = Array.from({ length: total }, (_, i) => event(i));
    const report = await enable3.sendEvents(events, { concurrency: 16 });

    expect(report.failed).toEqual([]);
    expect(report.deliveredCount).toBe(total);
    expectComplete(report, total);
    expect(report.delivered.every((d) => d.id === `evt-${d.index}`)).toBe(true);
    expect(processed.size).toBe(total);
    expect([...processed.values()].every((count) => count === 1)).toBe(true);
    const retried = [...attemptsById.values()].filter((n) => n > 1).length;
    expect(retried).toBeGreaterThan(total / 5); // the faults really happened
    expect(maxInFlight).toBeLessThanOrEqual(16);
  }, 60_000);

  it("reports invalid items and permanent failures, and still sends the rest", async () => {
    const server = await startScriptedServer((req, res) => {
      const { id } = JSON.parse(req.body);
      if (id === "evt-3") return reply(res, 409, { error: "duplicate" });
      reply(res, 201);
    });
    const items = [event(0), { ...event(1), value: Number.NaN }, null as unknown as EventInput, event(3), event(4)];
    const report = await clientFor(server.url).sendEvents(items);
    expectComplete(report, 5);
    expect(report.delivered.map((d) => d.index)).toEqual([0, 4]);
    const [nan, nul, conflict] = report.failed;
    expect(nan).toMatchObject({ index: 1, id: "evt-1" });
    expect(nan!.error).toBeInstanceOf(Enable3ValidationError);
    expect((nan!.error as Enable3ValidationError).field).toBe("events[1].value");
    expect(nul).toMatchObject({ index: 2, id: undefined });
    expect(nul!.error).toBeInstanceOf(Enable3ValidationError);
    expect(conflict).toMatchObject({ index: 3, id: "evt-3" });
    expect(conflict!.error).toBeInstanceOf(Enable3ConflictError);
    expect(server.requests).toHaveLength(3);
  });

  it("reads an async iterable lazily: never more than the concurrency ahead of what has settled", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    let read = 0;
    let settled = 0;
    let maxAhead = 0;
    async function* stream() {
      for (let i = 0; i < 2000; i++) {
        read++;
        maxAhead = Math.max(maxAhead, read - settled);
        yield event(i);
      }
    }
    const report = await clientFor(server.url).sendEvents(stream(), {
      concurrency: 4,
      onProgress: (p) => (settled = p.delivered + p.failed),
    });
    expect(report.deliveredCount).toBe(2000);
    expect(maxAhead).toBeLessThanOrEqual(5);
  });

  it("reports progress after every item", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const seen: number[] = [];
    const report = await clientFor(server.url).sendEvents(
      Array.from({ length: 20 }, (_, i) => event(i)),
      {
        onProgress: (p) => {
          seen.push(p.delivered + p.failed);
          if (p.delivered === 10) throw new Error("a broken callback");
        },
      },
    );
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(report.deliveredCount).toBe(20);
  });

  it("on abort, stops reading: what was read is reported, and unreadFrom says where to resume", async () => {
    const controller = new AbortController();
    const server = await startScriptedServer((_req, res) => {
      if (server!.requests.length === 50) controller.abort();
      reply(res, 201);
    });
    const report = await clientFor(server.url).sendEvents(
      Array.from({ length: 500 }, (_, i) => event(i)),
      { signal: controller.signal },
    );
    expect(report.aborted).toBe(true);
    expect(report.unreadFrom).toBeGreaterThanOrEqual(50);
    expectComplete(report, report.unreadFrom!);
    expect(report.failed.every((f) => f.error instanceof Enable3AbortError)).toBe(true);
    expect(report.failed.every((f) => f.id === `evt-${f.index}`)).toBe(true); // resendable with the same ids
    expect(server.requests.length).toBeLessThan(60);
  });

  it("a failing input stream ends the run with a report, not a rejection", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    async function* broken() {
      yield event(0);
      yield event(1);
      throw new Error("disk read failed");
    }
    const report = await clientFor(server.url).sendEvents(broken());
    expect(report.deliveredCount).toBe(2);
    expect(report.sourceError?.message).toMatch(/after 2 items: Error: disk read failed/);
  });

  it("refuses a non-iterable input and a bad concurrency before sending", async () => {
    const enable3 = clientFor("http://127.0.0.1:1");
    await expect(enable3.sendEvents(42 as never)).rejects.toBeInstanceOf(Enable3ValidationError);
    await expect(enable3.sendEvents([], { concurrency: 0 })).rejects.toBeInstanceOf(Enable3ValidationError);
  });

  it("collectDelivered: false keeps counts only", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const report = await clientFor(server.url).sendEvents([event(0), event(1)], { collectDelivered: false });
    expect(report).toMatchObject({ deliveredCount: 2, delivered: [], failed: [] });
  });
});

describe("sendRevenues", () => {
  it("sends each report with its requestId and accounts for all of them", async () => {
    const server = await startScriptedServer((req, res) => (JSON.parse(req.body).revenue < 0 ? reply(res, 400) : reply(res, 200)));
    const report = await clientFor(server.url).sendRevenues([{ revenue: 10, requestId: "r-0" }, { revenue: -1 }, { revenue: 5 }]);
    expectComplete(report, 3);
    const sentIds = server.requests.map((r) => JSON.parse(r.body).requestId as string);
    expect(report.delivered.map((d) => d.index)).toEqual([0, 2]);
    expect(report.delivered[0]!.id).toBe("r-0");
    expect(sentIds).toContain(report.delivered[1]!.id);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]).toMatchObject({ index: 1, id: sentIds.find((id) => id !== "r-0" && id !== report.delivered[1]!.id) });
  });
});
