#!/usr/bin/env node
// Enable3's withdrawal callbacks for a fleet: every process and machine shares the processed marks in
// PostgreSQL, and the credit is written through `tx`, the transaction that also records the withdrawal
// as processed: both commit, or neither does. A process killed mid-payout loses its lease after
// LEASE_MS and the next delivery pays the withdrawal, once.
//
//   npm run build && DATABASE_URL=postgres://… ENABLE3_CALLBACK_SECRET=… node examples/callback-server/postgres.mjs
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createWithdrawalReceiver, postgresStore } from "enable3-client/callback";
import pg from "pg";
import { announce, callbackSecrets, port } from "./environment.mjs";

/** The operator's own table: one row per credit. Yours already exists; this one is for the example. */
export const LEDGER_TABLE = `CREATE TABLE IF NOT EXISTS withdrawal_ledger (
  id bigserial PRIMARY KEY,
  transaction_id text NOT NULL,
  user_id text NOT NULL,
  amount numeric NOT NULL,
  credited_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * The payout, inside the receiver's transaction: it commits with the processed mark or not at all.
 * `withdrawal.amount` is the exact decimal text of the signed body ("1234567.123456789123"): numeric
 * takes it as is, never through a double (`amountNumber` is the rounded one).
 */
export async function creditWithdrawal(tx, withdrawal) {
  await tx.query("INSERT INTO withdrawal_ledger (transaction_id, user_id, amount) VALUES ($1, $2, $3)", [
    withdrawal.transactionId,
    withdrawal.userId,
    withdrawal.amount,
  ]);
}

/** The receiver on `pool`; `leaseMs` is how long a dead process holds a transaction before another takes it over. */
export function createPostgresReceiver(pool, { leaseMs = 60_000, onWithdrawal = creditWithdrawal } = {}) {
  return createWithdrawalReceiver({
    secrets: callbackSecrets(),
    store: postgresStore(pool),
    leaseMs,
    onWithdrawal: (withdrawal, { tx }) => onWithdrawal(tx, withdrawal),
  });
}

async function main() {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  // a PostgreSQL restart fails the pool's idle connections: pg reports each as an "error" on the pool
  pool.on("error", (error) => console.warn(`idle PostgreSQL connection lost (the pool opens another): ${error.message}`));
  await pool.query(LEDGER_TABLE);
  const receiver = createPostgresReceiver(pool, { leaseMs: Number(process.env.LEASE_MS ?? 60_000) });
  const server = createServer((req, res) => {
    if (req.url === "/enable3/callback") return receiver.node(req, res);
    res.writeHead(404).end();
  });
  server.listen(port, "127.0.0.1", () => announce(server.address().port));
  process.once("SIGTERM", () => server.close(() => pool.end()));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
