// postgresStore listens on its pool so that an idle client's error (what pg emits on the pool when the
// server restarts) cannot crash the process: one listener per pool, whatever the number of stores on
// it, telling each store's reporter. The restart itself, under load: pool-restart.postgres.test.ts.
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { postgresStore as withdrawalStore } from "../../src/callback.js";
import { postgresStore as outboxStore } from "../../src/outbox.js";

const idle = () => Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });

describe("postgresStore and its pool's idle-client errors", () => {
  it("one listener per pool; the receiver's store tells its onError, and by default writes a line", async () => {
    const pool = new pg.Pool();
    const told: Error[] = [];
    withdrawalStore(pool, { onError: (error) => void told.push(error) });
    withdrawalStore(pool, { onError: (error) => void told.push(error) });
    outboxStore(pool);
    expect(pool.listenerCount("error")).toBe(1);
    const error = idle();
    pool.emit("error", error);
    expect(told).toEqual([error, error]);

    const other = new pg.Pool();
    withdrawalStore(other);
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(() => other.emit("error", idle())).not.toThrow();
      expect(spy.mock.calls).toEqual([
        [expect.stringMatching(/^\[enable3\] an idle connection of a postgresStore's pg\.Pool failed \(terminating connection/)],
      ]);
    } finally {
      spy.mockRestore();
    }
    await Promise.all([pool.end(), other.end()]);
  });

  it("an outbox's store with no outbox open writes a line rather than crash; a throwing onError is contained", async () => {
    const pool = new pg.Pool();
    outboxStore(pool);
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(() => pool.emit("error", idle())).not.toThrow();
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    const throwing = new pg.Pool();
    withdrawalStore(throwing, {
      onError() {
        throw new Error("logger down");
      },
    });
    expect(() => throwing.emit("error", idle())).not.toThrow();
    expect(() => withdrawalStore(new pg.Pool(), { onError: "log" as never })).toThrow(/^options.onError must be a function when given$/);
    await Promise.all([pool.end(), throwing.end()]);
  });
});
