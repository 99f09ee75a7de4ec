// The outbox when the wall clock steps (an NTP correction, a VM resumed, a wrong date fixed): Date.now
// jumps, the monotonic clock does not. Only Date.now is moved here; timers and the monotonic clock
// run for real.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createOutbox, fileStore, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const realNow = Date.now.bind(Date);
/** Steps the wall clock by `ms` from now on. */
const stepClock = (ms: number) => vi.spyOn(Date, "now").mockImplementation(() => realNow() + ms);
afterEach(() => vi.restoreAllMocks());

async function setup(handler: Parameters<typeof startScriptedServer>[0]) {
  const server = await startScriptedServer(handler);
  const dir = await makeTempDir("enable3-clock");
  const open = (options: Partial<OutboxOptions> = {}) => {
    const outbox = createOutbox(clientFor(server.url), { store: fileStore(dir), initialDelayMs: 100, maxDelayMs: 200, ...options });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  return { server, open };
}

const event = { id: "e1", userId: "u", eventId: "deposit", value: 1 };

describe("outbox and clock steps", () => {
  it("a step back of an hour during a backoff does not stretch it to an hour", async () => {
    const { server, open } = await setup((_req, res, index) => reply(res, index === 0 ? 503 : 201));
    let retried!: () => void;
    const firstRetry = new Promise<void>((resolve) => (retried = resolve));
    const outbox = open({ onRetry: () => retried() });
    await outbox.enqueue(event);
    await firstRetry;
    stepClock(-HOUR);
    await outbox.flush({ timeoutMs: 10_000 });
    expect(server.requests).toHaveLength(2);
  });

  it("a step forward of three days kills nothing early: the record keeps being retried", async () => {
    const { server, open } = await setup((_req, res) => reply(res, 503));
    const dead: string[] = [];
    let retried!: () => void;
    const firstRetry = new Promise<void>((resolve) => (retried = resolve));
    const outbox = open({ retryForMs: DAY, onDead: (i) => dead.push(i.id), onRetry: () => retried() });
    await outbox.enqueue(event);
    await firstRetry;
    stepClock(3 * DAY);
    await expect.poll(() => server.requests.length).toBeGreaterThanOrEqual(5);
    expect(dead).toEqual([]);
    expect(outbox.stats()).toMatchObject({ dead: 0 });
  });

  it("after a restart, a stored wait further ahead than maxDelayMs (the clock stepped back meanwhile) waits maxDelayMs at most", async () => {
    let fail = true;
    const { server, open } = await setup((_req, res) => reply(res, fail ? 503 : 201));
    let retried!: () => void;
    const firstRetry = new Promise<void>((resolve) => (retried = resolve));
    const first = open({ initialDelayMs: 5_000, maxDelayMs: 5_000, onRetry: () => retried() });
    await first.enqueue(event);
    await firstRetry;
    await first.close();
    fail = false;
    stepClock(-HOUR);
    const second = open({ maxDelayMs: 300 });
    await second.flush({ timeoutMs: 15_000 });
    expect(server.requests.map((r) => JSON.parse(r.body).id)).toEqual(["e1", "e1"]);
  }, 30_000);

  it("with no step, a record still failing after retryForMs is dead, with its last error", async () => {
    const { open } = await setup((_req, res) => reply(res, 503));
    // 3 s of 50 to 100 ms waits: dozens of attempts, so a stall of a loaded machine still leaves three
    const outbox = open({ initialDelayMs: 50, maxDelayMs: 100, retryForMs: 3_000 });
    await outbox.enqueue(event);
    await outbox.flush({ timeoutMs: 10_000 });
    const dead = [];
    for await (const record of outbox.dead()) dead.push(record);
    expect(dead).toMatchObject([{ id: "e1", error: { status: 503 } }]);
    expect(dead[0]!.attempts).toBeGreaterThanOrEqual(3);
  });
});
