// A postgresStore worker's wake-up: one connection of its own (pool.connect()) that LISTENs on the
// schema's channel, so an enqueue anywhere in the fleet wakes it at once (the insert NOTIFYs in the same
// statement). Polling stays the fallback: when the connection cannot be had, LISTEN fails (PgBouncer
// in transaction mode), or the connection drops, the worker is told through onError, polls, and
// listens again after a backoff.
import { backoffDelay } from "../internal/backoff.js";
import { withTimeout } from "../internal/timers.js";
import type { SqlPool, SqlPoolClient } from "../postgres/sql-client.js";
import { Enable3OutboxError } from "./errors.js";
import { listen } from "./postgres-plans.js";

/** A pg client's events, as much of them as the listener uses. */
interface EventedClient extends SqlPoolClient {
  on(event: "notification" | "error" | "end", listener: (arg?: unknown) => void): unknown;
  removeListener(event: "notification" | "error" | "end", listener: (arg?: unknown) => void): unknown;
}

export interface ListenerOptions {
  channel: string;
  /** The table, for messages. */
  table: string;
  /** What the worker polls at while it does not listen, for messages. */
  fallbackPollMs: number;
  /** Called on every notification, and once listening (again): rows may have come meanwhile. */
  onWake(): void;
  onError(error: Error): void;
}

export interface Listener {
  /** True while the connection listens. */
  readonly listening: boolean;
  /** Stops listening and hands the connection back. */
  close(): Promise<void>;
}

/** How long the pool may take to hand out the listening connection before the worker says so. */
const CONNECT_WARN_MS = 5_000;
/** Waits between two tries to listen again. */
const RELISTEN = { initialDelayMs: 250, maxDelayMs: 30_000 } as const;

export function startListener(pool: SqlPool, o: ListenerOptions): Listener {
  let client: EventedClient | undefined;
  let listening = false;
  let closed = false;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const warn = (what: string, cause?: unknown) => {
    const detail = cause instanceof Error ? ` (${cause.message})` : "";
    const message = `cannot LISTEN for new records on ${o.table}: ${what}${detail}; polling every ${o.fallbackPollMs} ms meanwhile, and listening again once it can`;
    o.onError(new Enable3OutboxError("listen_unavailable", message, cause));
  };
  const onNotification = () => o.onWake();
  const lost = (error?: unknown) => {
    if (client === undefined) return;
    const gone = client;
    unhook(gone);
    client = undefined;
    listening = false;
    gone.release(error instanceof Error ? error : true); // a broken connection is never handed out again
    if (closed) return;
    warn("the listening connection was lost", error);
    again();
  };
  const hook = (c: EventedClient) => {
    c.on("notification", onNotification);
    c.on("error", lost);
    c.on("end", lost);
  };
  const unhook = (c: EventedClient) => {
    c.removeListener("notification", onNotification);
    c.removeListener("error", lost);
    c.removeListener("end", lost);
    c.on("error", () => {}); // a late error of a released connection must not crash the process
  };
  const again = () => {
    failures++;
    retry = setTimeout(connect, backoffDelay(failures, RELISTEN));
    (retry as { unref?: () => void }).unref?.();
  };

  const connect = async () => {
    retry = undefined;
    if (closed) return;
    let c: SqlPoolClient;
    try {
      const asked = pool.connect();
      const got = await withTimeout(asked, CONNECT_WARN_MS, undefined);
      if (got === undefined) warn(`the pool gave no connection within ${CONNECT_WARN_MS} ms (is it exhausted?)`);
      c = got ?? (await asked);
    } catch (error) {
      if (failures === 0) warn("no connection could be had", error);
      return again();
    }
    if (typeof (c as Partial<EventedClient>).on !== "function") {
      c.release();
      return warn("the pool's clients do not emit notifications (not a pg Pool)");
    }
    const evented = c as EventedClient;
    if (closed) return evented.release();
    client = evented;
    hook(evented);
    try {
      await evented.query(listen(o.channel));
    } catch (error) {
      if (client !== evented) return; // lost meanwhile: already told, and trying again
      unhook(evented);
      client = undefined;
      evented.release(error instanceof Error ? error : true);
      if (closed) return;
      if (failures === 0) warn("LISTEN failed (PgBouncer in transaction mode does not support it)", error);
      return again();
    }
    if (client !== evented) return;
    if (closed) return void close();
    listening = true;
    failures = 0;
    o.onWake(); // what was enqueued while nobody listened
  };

  const close = async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    const c = client;
    if (c === undefined) return;
    client = undefined;
    listening = false;
    unhook(c);
    try {
      await c.query("UNLISTEN *");
      c.release();
    } catch (error) {
      c.release(error instanceof Error ? error : true);
    }
  };

  void connect();
  return {
    get listening() {
      return listening;
    },
    close,
  };
}
