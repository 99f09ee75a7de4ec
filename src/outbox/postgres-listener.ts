// A postgresStore worker's wake-up: one connection of its own (pool.connect()) that LISTENs on the
// schema's channel, so an enqueue anywhere in the fleet wakes it at once (the insert NOTIFYs in the same
// statement). Polling stays the fallback: when the connection cannot be had, LISTEN fails (PgBouncer
// in transaction mode), or the connection drops, the worker is told through onError, polls, and
// listens again after a backoff. The listener's state is one object; each step is a function over it.
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

/** One listener's state, shared by the functions below. */
interface ListenerState {
  pool: SqlPool;
  o: ListenerOptions;
  client: EventedClient | undefined;
  listening: boolean;
  closed: boolean;
  failures: number;
  retry: ReturnType<typeof setTimeout> | undefined;
  /** The handlers hooked on the connection (bound once, so they can be removed). */
  onNotification: () => void;
  lost: (error?: unknown) => void;
}

export function startListener(pool: SqlPool, o: ListenerOptions): Listener {
  const state: ListenerState = {
    pool,
    o,
    client: undefined,
    listening: false,
    closed: false,
    failures: 0,
    retry: undefined,
    onNotification: () => o.onWake(),
    lost: (error) => lost(state, error),
  };
  void connect(state);
  return {
    get listening() {
      return state.listening;
    },
    close: () => close(state),
  };
}

function warn(state: ListenerState, what: string, cause?: unknown): void {
  const detail = cause instanceof Error ? ` (${cause.message})` : "";
  const message = `cannot LISTEN for new records on ${state.o.table}: ${what}${detail}; polling every ${state.o.fallbackPollMs} ms meanwhile, and listening again once it can`;
  state.o.onError(new Enable3OutboxError("listen_unavailable", message, cause));
}

/** The listening connection failed or ended: hand it back broken, say so, and listen again later. */
function lost(state: ListenerState, error?: unknown): void {
  if (state.client === undefined) return;
  const gone = state.client;
  unhook(state, gone);
  state.client = undefined;
  state.listening = false;
  gone.release(error instanceof Error ? error : true); // a broken connection is never handed out again
  if (state.closed) return;
  warn(state, "the listening connection was lost", error);
  again(state);
}

function hook(state: ListenerState, c: EventedClient): void {
  c.on("notification", state.onNotification);
  c.on("error", state.lost);
  c.on("end", state.lost);
}

function unhook(state: ListenerState, c: EventedClient): void {
  c.removeListener("notification", state.onNotification);
  c.removeListener("error", state.lost);
  c.removeListener("end", state.lost);
  c.on("error", () => {}); // a late error of a released connection must not crash the process
}

function again(state: ListenerState): void {
  state.failures++;
  state.retry = setTimeout(() => void connect(state), backoffDelay(state.failures, RELISTEN));
  (state.retry as { unref?: () => void }).unref?.();
}

/** A connection of the pool's, told to wait no longer than CONNECT_WARN_MS before the worker says so. */
async function connection(state: ListenerState): Promise<SqlPoolClient> {
  const asked = state.pool.connect();
  const got = await withTimeout(asked, CONNECT_WARN_MS, undefined);
  if (got === undefined) warn(state, `the pool gave no connection within ${CONNECT_WARN_MS} ms (is it exhausted?)`);
  return got ?? (await asked);
}

async function connect(state: ListenerState): Promise<void> {
  state.retry = undefined;
  if (state.closed) return;
  let c: SqlPoolClient;
  try {
    c = await connection(state);
  } catch (error) {
    if (state.failures === 0) warn(state, "no connection could be had", error);
    return again(state);
  }
  if (typeof (c as Partial<EventedClient>).on !== "function") {
    c.release();
    return warn(state, "the pool's clients do not emit notifications (not a pg Pool)");
  }
  const evented = c as EventedClient;
  if (state.closed) return evented.release();
  state.client = evented;
  hook(state, evented);
  try {
    await evented.query(listen(state.o.channel));
  } catch (error) {
    if (state.client !== evented) return; // lost meanwhile: already told, and trying again
    unhook(state, evented);
    state.client = undefined;
    evented.release(error instanceof Error ? error : true);
    if (state.closed) return;
    if (state.failures === 0) warn(state, "LISTEN failed (PgBouncer in transaction mode does not support it)", error);
    return again(state);
  }
  if (state.client !== evented) return;
  if (state.closed) return void close(state);
  state.listening = true;
  state.failures = 0;
  state.o.onWake(); // what was enqueued while nobody listened
}

async function close(state: ListenerState): Promise<void> {
  state.closed = true;
  if (state.retry) clearTimeout(state.retry);
  const c = state.client;
  if (c === undefined) return;
  state.client = undefined;
  state.listening = false;
  unhook(state, c);
  try {
    await c.query("UNLISTEN *");
    c.release();
  } catch (error) {
    c.release(error instanceof Error ? error : true);
  }
}
