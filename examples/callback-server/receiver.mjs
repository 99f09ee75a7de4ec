// The receiver the framework examples here mount: processed transactions in this process's memory and
// a payout that only prints. postgres.mjs shows the same for a fleet, with the credit in the operator's
// own table.
import { createWithdrawalReceiver, memoryStore } from "enable3-client/callback";
import { callbackSecrets } from "./environment.mjs";

export const receiver = createWithdrawalReceiver({
  secrets: callbackSecrets(),
  store: memoryStore(),
  async onWithdrawal(withdrawal, { transactionId }) {
    // your payout: called once per transactionId; throw to have Enable3's next delivery try again
    console.log(`pay ${withdrawal.amount} to ${withdrawal.userId} (transaction ${transactionId})`);
  },
  onDuplicate: (event) => console.log(`duplicate ${event.transactionId} (${event.reason}): answered ${event.status}`),
});
