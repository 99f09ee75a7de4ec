// How near a mistyped name is to an allowed one: what checkKnownKeys (validate.ts) and the `enable3`
// command name as "did you mean".

/** The allowed name nearest to `key` by edits (case aside: `apikey` is `apiKey`), if it is near enough to be a typo of it ("timeout" for "timeoutMs"). */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  // near enough: 3 edits ("maxRetry" for "maxRetries"), more for long names, and never the whole key
  let bestDistance = Math.min(Math.max(3, Math.floor(key.length / 3)), key.length - 1) + 1;
  for (const name of allowed) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

/**
 * The fewest insertions, deletions, substitutions and swaps of two neighbours from `a` to `b` (optimal
 * string alignment): a swap is one slip of the fingers, so `prot` is nearer `port` than `proxy`. The
 * one measure of a near miss: the option checks and the `enable3` command's "did you mean".
 * @internal Exported for the `enable3` command, which may import only the public entries; not part of the API.
 * @example editDistance("prot", "port"); // 1
 */
export function editDistance(a: string, b: string): number {
  let [before, previous] = [[] as number[], Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) current[j] = Math.min(current[j]!, before[j - 2]! + 1);
    }
    [before, previous] = [previous, current];
  }
  return previous[b.length]!;
}
