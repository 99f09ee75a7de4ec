// createOutbox: enqueue stores a record (its id fixed inside it) durably before it resolves; delivery
// runs in the background through the client's record sender; flush, close, stats, dead and replay.
// Its parts: option checks (outbox-options.ts), the enqueue path (outbox-enqueue.ts), the store's
// opening, flush, close and stats (outbox-lifecycle.ts), over one shared state (OutboxCore).

import type { Enable3Client } from "../client/create-client.js";
import * as check from "../internal/validate.js";
import { outboxMetrics } from "../telemetry/component-metrics.js";
import { createOutboxHistory } from "./history.js";
import { createHookCaller } from "./hooks.js";
import { inspectOutbox } from "./inspect.js";
import { enqueueEvent, enqueueRevenue, enqueueSegments } from "./outbox-enqueue.js";
import { close, flush, type OutboxCore, openStore, sessionOf, statsOf } from "./outbox-lifecycle.js";
import { purgeOptions, resolveOutboxOptions } from "./outbox-options.js";
import type { Outbox, OutboxOptions } from "./outbox-types.js";

/**
 * A durable outbox in front of `client`: every event (or revenue report) whose `enqueue` resolved is
 * delivered, with the id fixed at enqueue, through crashes and restarts; one the API refuses for good
 * becomes dead, listed by `dead()`. Delivery runs in the background through the client's record sender.
 * @example
 * import { createOutbox, fileStore } from "enable3-client/outbox";
 * const outbox = createOutbox(enable3, { store: fileStore("./enable3-outbox"), concurrency: 16 });
 * const { id } = await outbox.enqueue({ userId: "u1", eventId: "deposit", value: 50 }); // durable now
 */
export function createOutbox(client: Enable3Client, options: OutboxOptions): Outbox {
  const settings = resolveOutboxOptions(client, options);
  const { o, store, installed } = settings;
  const state: Omit<OutboxCore, "opening"> = {
    client,
    store,
    settings,
    history: createOutboxHistory(() => state.opened?.counts().oldestPendingMs),
    hook: createHookCaller(o),
    reserved: 0,
  };
  const core: OutboxCore = Object.assign(state, { opening: openStore(state) });

  // the methods are closures over core, never `this`: an app may pass them around on their own
  const outbox: Outbox = {
    enqueue: (event, options) => enqueueEvent(core, event, options),
    enqueueRevenue: (revenue, options) => enqueueRevenue(core, revenue, options),
    assignSegments: (assignments, options) => enqueueSegments(core, "assignSegments", assignments, options),
    removeSegments: (assignments, options) => enqueueSegments(core, "removeSegments", assignments, options),
    flush: (options) => flush(core, options),
    close: (options) => close(core, options),
    report: () => inspectOutbox(store, { onError: (error) => core.hook("onError", error) }).status(),
    stats: () => statsOf(core),
    history: core.history.list,
    dead() {
      return {
        async *[Symbol.asyncIterator]() {
          yield* (await sessionOf(core)).dead();
        },
      };
    },
    async replay(ids) {
      const list = ids === undefined ? undefined : check.stringArray(ids, "ids");
      return { replayed: await (await sessionOf(core)).replay(list) };
    },
    async purge(options) {
      const { olderThanMs, dryRun } = purgeOptions(options);
      return { purged: await (await sessionOf(core)).purgeDead(olderThanMs, dryRun) };
    },
    async open() {
      await core.opening;
    },
  };
  // the app's metric reader reads stats() when it collects; closing the outbox stops that
  const metrics = o.telemetry === false ? undefined : (o.telemetry?.outboxStats ?? (installed ? outboxMetrics(installed) : undefined));
  core.stopMetrics = metrics?.(store.description, () => statsOf(core));
  return outbox;
}
