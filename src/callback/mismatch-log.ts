// A signature that matches none of the secrets is written to the receiver's logger: when every genuine
// callback is refused, a wrong or rotated secret is the likely cause, and a 401 alone is heard only by
// Enable3. At most one line a minute (forged deliveries must not flood the log), with the count since
// the last line; never the secret, the signature or the body.

/** How often a mismatch line may be written at most. */
const INTERVAL_MS = 60_000;

/** Returns what the receiver calls on each mismatch; `write` gets the lines. */
export function mismatchLog(secretCount: number, write: (line: string) => void): () => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let since = 0;
  return () => {
    since++;
    const now = Date.now();
    if (now - lastAt < INTERVAL_MS) return;
    const count = lastAt === Number.NEGATIVE_INFINITY ? "" : ` ${since} refused since the last line.`;
    lastAt = now;
    since = 0;
    const which = secretCount === 1 ? "does not match the secret" : `matches none of the ${secretCount} secrets`;
    write(
      `a withdrawal callback was refused (401 signature-mismatch): its signature ${which} configured. If every callback` +
        " is refused, the callback secret is wrong or was rotated in the Enable3 admin panel: put the current one in" +
        ` \`secrets\` (during a rotation, beside the previous one). At most one such line a minute.${count}`,
    );
  };
}
