// `enable3 outbox <status|dead|replay|purge|doctor>`: which subcommand, and the help they share.
import { UsageError } from "./args.js";
import { runDead, runPurge, runReplay, runStatus } from "./outbox-commands.js";
import { runOutboxDoctor } from "./outbox-doctor.js";

export const outboxUsage = "enable3 outbox status|dead|replay|purge|doctor [--dir DIR | --schema NAME] [--json] [options]";

export const outboxHelp = `The store: --dir DIR for a fileStore; otherwise a postgresStore from the PostgreSQL environment
(DATABASE_URL, or PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD as pg reads them; pg must be installed),
with --schema NAME (default public). A password is never taken from an argument: --password, and a
--database-url holding one, are refused (put it in PGPASSWORD, DATABASE_URL or ~/.pgpass).

  status                      pending, in flight, dead, the oldest pending record's age, whether delivery
                              is paused and why, delivered in the last hour (as running outboxes publish it)
  dead [--reason TEXT] [--status N] [--older-than 30d] [--newer-than 12h]
                              each dead record: id, kind, attempts, the API's status and reason, enqueued
                              and died (ages count from when it died)
  replay ID... | --all | --status N
                              queue dead records again under the same ids
  purge --dead --older-than 30d [--dry-run]
                              remove dead records that died longer ago than that, with a count
  doctor [--max-backlog-age 15m] [--lease 30s] [--retention 30d]
                              a postgresStore's health: backlog age, dead rows, table size and dead tuples,
                              autovacuum, sessions idle in a transaction longer than a lease; exit 1 on trouble

status and dead work while an outbox runs on the directory or database; on a fileStore replay and purge
need the directory, so they are refused (exit 2, the holder named) while an outbox process holds it.

Examples:
  enable3 outbox status --dir ./enable3-outbox
  DATABASE_URL=postgres://enable3@db/app enable3 outbox dead --status 422 --newer-than 1d --json
  enable3 outbox replay --status 422 --dir ./enable3-outbox
  enable3 outbox purge --dead --older-than 30d --dry-run
  PGHOST=db PGUSER=enable3 enable3 outbox doctor --schema enable3`;

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  status: (args) => runStatus(args),
  dead: (args) => runDead(args),
  replay: (args) => runReplay(args),
  purge: (args) => runPurge(args),
  doctor: (args) => runOutboxDoctor(args),
};

export function runOutbox(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const run = name === undefined ? undefined : SUBCOMMANDS[name];
  if (!run) throw new UsageError(`outbox takes ${Object.keys(SUBCOMMANDS).join(", ")}${name === undefined ? "" : `, got "${name}"`}`);
  return run(rest);
}
