// The receiver every example here mounts: the secret from the environment (a second one during a
// rotation), processed transactions in this process's memory, and a payout that only prints.
// postgres.mjs shows the same for a fleet, with the credit in the operator's own table.
import { createWithdrawalReceiver, memoryStore } from "enable3-client/callback";

/** ENABLE3_CALLBACK_SECRET, and ENABLE3_CALLBACK_SECRET_PREVIOUS while Enable3 still signs with the old one. */
export function callbackSecrets() {
  const secrets = [process.env.ENABLE3_CALLBACK_SECRET, process.env.ENABLE3_CALLBACK_SECRET_PREVIOUS].filter(Boolean);
  if (secrets.length === 0) {
    console.error("Set ENABLE3_CALLBACK_SECRET to the callback secret from the Enable3 admin panel.");
    process.exit(2);
  }
  return secrets;
}

export const receiver = createWithdrawalReceiver({
  secrets: callbackSecrets(),
  store: memoryStore(),
  async onWithdrawal(withdrawal, { transactionId }) {
    // your payout: called once per transactionId; throw to have Enable3's next delivery try again
    console.log(`pay ${withdrawal.amount} to ${withdrawal.userId} (transaction ${transactionId})`);
  },
  onDuplicate: (event) => console.log(`duplicate ${event.transactionId} (${event.reason}): answered ${event.status}`),
});

/** The port to listen on: PORT, else 3001. */
export const port = Number(process.env.PORT ?? 3001);

/** Prints where the endpoint listens (the examples' tests wait for this line). */
export function announce(actualPort) {
  console.log(`Callback endpoint on http://127.0.0.1:${actualPort}/enable3/callback`);
}
