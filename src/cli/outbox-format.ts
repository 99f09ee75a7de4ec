// What `enable3 outbox` reads and prints: durations given as 30d, 12h, 15m, 45s or 500ms, and ages
// and times shown to a person.
import { UsageError } from "./args.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d` → ms; a usage error naming the flag for anything else. */
export function duration(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(value.trim());
  if (!m) throw new UsageError(`--${flag} takes a duration such as 30d, 12h, 15m, 45s or 500ms, got "${value}"`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** An age for a person: `0s`, `45s`, `4m 12s`, `2h 3m`, `3d 4h`. */
export function age(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** A time, to the second, in UTC. */
export const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
