// An outbox directory another process holds is the user's to sort out (exit code 2, the holder named),
// not a failure of this run: one rule for every command that opens an outbox.
import { Enable3OutboxError } from "../outbox.js";
import { UsageError } from "./args.js";

/** For `outbox.open().catch(refuseLocked)`: "locked" becomes a usage error, anything else is rethrown. */
export function refuseLocked(error: unknown): never {
  if (error instanceof Enable3OutboxError && error.reason === "locked") throw new UsageError(error.message);
  throw error;
}
