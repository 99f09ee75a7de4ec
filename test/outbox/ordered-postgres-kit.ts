// For the ordered postgresStore tests: a random interleaving of keyed events (key `kN`, value = its
// place in the key's order), enqueued so that each key's next enqueue starts once its previous one
// resolved (keys run concurrently), and the checks on what a recording server saw.
import type { Outbox } from "../../src/outbox.js";

export interface Step {
  key: string;
  /** 0, 1, 2 … per key: the order the server must see. */
  value: number;
}

/** `keys` keys of `perKey` steps each, in a random interleaving that keeps each key's own order. */
export function interleaving(keys: number, perKey: number): Step[] {
  const left = Array.from({ length: keys }, () => perKey);
  const live = Array.from({ length: keys }, (_, k) => k);
  const steps: Step[] = [];
  while (live.length > 0) {
    const at = Math.floor(Math.random() * live.length);
    const k = live[at]!;
    steps.push({ key: `k${k}`, value: perKey - left[k]! });
    if (--left[k]! === 0) live.splice(at, 1);
  }
  return steps;
}

/** Enqueues every step with `orderingKey: key`, in the interleaving's order: concurrent across keys, one after another within a key. */
export async function enqueueAll(outbox: Outbox, steps: Step[]): Promise<void> {
  const chains = new Map<string, Promise<unknown>>();
  for (const { key, value } of steps) {
    const previous = chains.get(key) ?? Promise.resolve();
    chains.set(
      key,
      previous.then(() => outbox.enqueue({ id: `${key}-${value}`, userId: key, eventId: "step", value }, { orderingKey: key })),
    );
  }
  await Promise.all(chains.values());
}

export interface Arrival {
  key: string;
  value: number;
}

export const arrivalOf = (body: string): Arrival => {
  const { userId, value } = JSON.parse(body) as { userId: string; value: number };
  return { key: userId, value };
};

/**
 * Each key's arrivals in the order they came, where one went backwards (a value after a higher one of
 * its key had arrived: an attempt sent again after a later record is an inversion too). Empty when the
 * order held.
 */
export function inversions(arrivals: Arrival[]): string[] {
  const highest = new Map<string, number>();
  const found: string[] = [];
  for (const { key, value } of arrivals) {
    const before = highest.get(key) ?? -1;
    if (value < before) found.push(`${key}: ${value} after ${before}`);
    else highest.set(key, value);
  }
  return found;
}

/** The steps no 2xx answer was given for. */
export function missing(steps: Step[], delivered: Set<string>): string[] {
  return steps.map((s) => `${s.key}-${s.value}`).filter((id) => !delivered.has(id));
}
