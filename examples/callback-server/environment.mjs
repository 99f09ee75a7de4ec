// What every example here reads from its environment, and the line it prints once listening.

/** ENABLE3_CALLBACK_SECRET, and ENABLE3_CALLBACK_SECRET_PREVIOUS while Enable3 still signs with the old one. */
export function callbackSecrets() {
  const secrets = [process.env.ENABLE3_CALLBACK_SECRET, process.env.ENABLE3_CALLBACK_SECRET_PREVIOUS].filter(Boolean);
  if (secrets.length === 0) {
    console.error("Set ENABLE3_CALLBACK_SECRET to the callback secret from the Enable3 admin panel.");
    process.exit(2);
  }
  return secrets;
}

/** The port to listen on: PORT, else 3001. */
export const port = Number(process.env.PORT ?? 3001);

/** Prints where the endpoint listens (the examples' tests wait for this line). */
export function announce(actualPort) {
  console.log(`Callback endpoint on http://127.0.0.1:${actualPort}/enable3/callback`);
}
