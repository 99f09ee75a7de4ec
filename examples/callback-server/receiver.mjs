// The receiver the framework examples here mount. With DATABASE_URL, the processed marks live in
// PostgreSQL (postgresStore) and the credit is written through `tx`, in the same transaction as the mark:
// a restart, a crash or a second process never pays a withdrawal twice. Without it, memoryStore, to try
// the example on one process only: a restart forgets what was paid, so never use it for real money.
import { createWithdrawalReceiver, memoryStore, postgresStore } from "enable3-client/callback";
import { callbackSecrets } from "./environment.mjs";

/** The store, and the credit written inside its transaction (nothing to write for memoryStore). */
async function durableStore() {
  if (!process.env.DATABASE_URL) {
    console.warn("memoryStore: processed withdrawals are kept in memory only (set DATABASE_URL for postgresStore)");
    return { store: memoryStore(), credit: async () => {} };
  }
  const { default: pg } = await import("pg");
  const { LEDGER_TABLE, creditWithdrawal } = await import("./postgres.mjs");
  // allowExitOnIdle: the pool's idle connections never keep a server that was closed alive
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, allowExitOnIdle: true });
  // an idle client's error (PostgreSQL restarted) must not crash the process: the next query reconnects
  pool.on("error", (error) => console.warn(`PostgreSQL: an idle connection closed (${error.message})`));
  await pool.query(LEDGER_TABLE);
  return { store: postgresStore(pool), credit: creditWithdrawal };
}

const { store, credit } = await durableStore();

export const receiver = createWithdrawalReceiver({
  secrets: callbackSecrets(),
  store,
  async onWithdrawal(withdrawal, { transactionId, tx }) {
    // your payout: called once per transactionId; throw to have Enable3's next delivery try again
    await credit(tx, withdrawal);
    console.log(`pay ${withdrawal.amount} to ${withdrawal.userId} (transaction ${transactionId})`);
  },
  onDuplicate: (event) => console.log(`duplicate ${event.transactionId} (${event.reason}): answered ${event.status}`),
});
