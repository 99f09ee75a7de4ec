// `enable3 outbox status|dead|replay|purge`: an outbox's store seen and repaired from a shell, through
// the library's inspectOutbox (status and dead read it while an outbox runs on it; replay and purge
// open it, so a fileStore held by a running outbox refuses them, naming the holder).
import { type DeadFilter, type DeadRecord, Enable3OutboxError, inspectOutbox, type OutboxReport } from "../outbox.js";
import { noMorePositionals, number, parse, UsageError } from "./args.js";
import { age, duration, when } from "./outbox-format.js";
import { type OpenedStore, STORE_OPTIONS, type StoreFlags, storeFrom } from "./outbox-store.js";
import { createOutput, EXIT, printable } from "./output.js";

/** Runs `work` on the store the flags choose; the store's pool is ended whatever happens. */
export async function withStore<T>(flags: StoreFlags, work: (opened: OpenedStore) => Promise<T>): Promise<T> {
  const opened = await storeFrom(flags);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

const warn = (error: Error) => process.stderr.write(`warning: ${printable(error.message)}\n`);

export async function runStatus(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parse(args, STORE_OPTIONS);
  noMorePositionals(positionals, 0);
  const report = await withStore(values, (s) => inspectOutbox(s.store, { onError: warn }).status());
  createOutput(values.json, out).result(report, statusText(report));
  return EXIT.ok;
}

function statusText(r: OutboxReport): string {
  const live = r.workers.filter((w) => w.state !== "closed");
  const delivery = r.paused
    ? `PAUSED: ${printable(r.pausedBecause ?? "the API refuses this server")}`
    : live.length > 0
      ? "running"
      : "no outbox is delivering from this store now";
  const rows: [string, string][] = [
    ["pending", String(r.pending)],
    ["in flight", String(r.inFlight)],
    ["dead", String(r.dead)],
    ["oldest pending", r.oldestPendingMs > 0 ? age(r.oldestPendingMs) : "-"],
    ["delivery", delivery],
    ["delivered (1 h)", r.deliveredLastHour === undefined ? "unknown (no outbox published its status)" : String(r.deliveredLastHour)],
    [
      "pending by kind",
      Object.entries(r.pendingByKind)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(", ") || "-",
    ],
  ];
  // a key (a user, for segment changes) whose later records wait behind its first pending one
  const held = r.heldBack.map((k) => `  ${printable(k.key)}: ${k.waiting} waiting behind one pending for ${age(k.pendingForMs)}`);
  const workers = r.workers.map(
    (w) =>
      `  pid ${w.pid} on ${printable(w.host)}: ${w.state}, ${w.inFlight} in flight, ${w.deliveredLastHour} delivered in the last hour (as of ${age(Date.now() - w.updatedAt)} ago)`,
  );
  return [
    `enable3 outbox status: ${r.store}`,
    ...rows.map(([k, v]) => `${k.padEnd(16)} ${v}`),
    ...(workers.length ? ["workers:", ...workers] : []),
    ...(held.length ? ["held back (ordered per key, longest first):", ...held] : []),
  ].join("\n");
}

const DEAD_OPTIONS = {
  ...STORE_OPTIONS,
  reason: { type: "string" },
  status: { type: "string" },
  "older-than": { type: "string" },
  "newer-than": { type: "string" },
} as const;

export async function runDead(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parse(args, DEAD_OPTIONS);
  noMorePositionals(positionals, 0);
  const now = Date.now();
  const olderThan = duration(values["older-than"], "older-than");
  const newerThan = duration(values["newer-than"], "newer-than");
  const filter: DeadFilter = {
    ...(values.reason === undefined ? {} : { reason: values.reason }),
    ...(values.status === undefined ? {} : { status: httpStatus(values.status) }),
    ...(olderThan === undefined ? {} : { diedBefore: now - olderThan }),
    ...(newerThan === undefined ? {} : { diedAfter: now - newerThan }),
  };
  let count = 0;
  await withStore(values, async (s) => {
    if (values.json) out.write("[");
    else out.write(`${["id", "kind", "attempts", "status", "enqueued", "died", "reason"].join("\t")}\n`);
    for await (const record of inspectOutbox(s.store, { onError: warn }).dead(filter)) {
      out.write(values.json ? `${count > 0 ? "," : ""}\n${JSON.stringify(deadJson(record))}` : `${deadLine(record)}\n`);
      count++;
    }
    if (values.json) out.write(count > 0 ? "\n]\n" : "]\n");
  });
  if (!values.json) process.stderr.write(`${count} dead record${count === 1 ? "" : "s"}\n`);
  return EXIT.ok;
}

const deadJson = (r: DeadRecord) => ({
  id: r.id,
  kind: r.kind,
  attempts: r.attempts,
  status: r.error.status ?? null,
  code: r.error.code,
  error: r.error.name,
  reason: r.error.message,
  enqueuedAt: new Date(r.enqueuedAt).toISOString(),
  diedAt: new Date(r.diedAt).toISOString(),
  body: r.body,
  ...(r.context === undefined ? {} : { context: r.context }),
});

const deadLine = (r: DeadRecord) =>
  [r.id, r.kind, r.attempts, r.error.status ?? "-", when(r.enqueuedAt), when(r.diedAt), r.error.message]
    .map((v) => printable(String(v)).replace(/\t/g, " "))
    .join("\t");

function httpStatus(value: string): number {
  const n = number(value, "status")!;
  if (!Number.isInteger(n) || n < 100 || n > 599) throw new UsageError(`--status takes an HTTP status (100 to 599), got "${value}"`);
  return n;
}

export async function runReplay(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parse(args, { ...STORE_OPTIONS, all: { type: "boolean", default: false }, status: { type: "string" } });
  const chosen = [positionals.length > 0, values.all, values.status !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError("replay takes dead records' ids, or --all, or --status N (one of the three)");
  const selection = values.all ? { all: true } : values.status !== undefined ? { status: httpStatus(values.status) } : { ids: positionals };
  const { replayed } = await withStore(values, (s) => inspectOutbox(s.store, { onError: warn }).replay(selection).catch(heldElsewhere));
  createOutput(values.json, out).result(
    { replayed },
    `replayed ${replayed} dead record${replayed === 1 ? "" : "s"}: queued again under the same ids, delivered when an outbox runs on this store`,
  );
  return EXIT.ok;
}

export async function runPurge(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const options = {
    ...STORE_OPTIONS,
    dead: { type: "boolean", default: false },
    "older-than": { type: "string" },
    "dry-run": { type: "boolean", default: false },
  } as const;
  const { values, positionals } = parse(args, options);
  noMorePositionals(positionals, 0);
  if (!values.dead) throw new UsageError("purge removes dead records only, and says so: enable3 outbox purge --dead --older-than 30d");
  const given = values["older-than"];
  if (given === undefined) throw new UsageError("--older-than is required (e.g. 30d; 0s for every dead record)");
  const olderThanMs = duration(given, "older-than")!;
  const dryRun = values["dry-run"];
  const { purged } = await withStore(values, (s) =>
    inspectOutbox(s.store, { onError: warn }).purge({ olderThanMs, dryRun }).catch(heldElsewhere),
  );
  const what = `dead record${purged === 1 ? "" : "s"} that died more than ${given} ago`;
  createOutput(values.json, out).result(
    { purged, dryRun, olderThanMs },
    dryRun ? `would purge ${purged} ${what} (dry run: nothing removed)` : `purged ${purged} ${what}`,
  );
  return EXIT.ok;
}

/** A fileStore held by a running outbox: a usage error saying what works meanwhile. */
function heldElsewhere(error: unknown): never {
  if (error instanceof Enable3OutboxError && error.reason === "locked")
    throw new UsageError(
      `${error.message}\nreplay and purge write the directory, so they need the outbox that holds it stopped first (status and dead work while it runs), or call outbox.replay() / outbox.purge() in that process`,
    );
  throw error;
}
