// An expiring LRU cache with single flight, for widget URLs and SDK tokens: fetched on every page
// view or app start, yet valid for a day.
import { Enable3AbortError } from "../errors.js";

export interface CacheOptions {
  /** Entries kept at most; the least recently used goes first. Default 1000. */
  maxEntries?: number;
  /** An entry is refreshed this long before it expires. Default 300000 (5 minutes). */
  refreshMarginMs?: number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class ExpiringCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inFlight = new Map<string, Promise<V>>();
  readonly maxEntries: number;
  readonly refreshMarginMs: number;

  constructor(options: CacheOptions = {}, private readonly expiryOf: (value: V) => Date | undefined) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.refreshMarginMs = options.refreshMarginMs ?? 5 * 60 * 1000;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * A fresh cached value, or the result of `load`, shared by every concurrent caller of the same key.
   * A caller's signal ends only that caller's wait. Failures are not cached.
   */
  get(key: string, load: () => Promise<V>, signal?: AbortSignal): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt - this.refreshMarginMs > Date.now()) {
      this.entries.delete(key); // re-insert: Map order is the LRU order
      this.entries.set(key, entry);
      return Promise.resolve(entry.value);
    }
    if (entry) this.entries.delete(key);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = load().then(
        (value) => {
          this.inFlight.delete(key);
          this.store(key, value);
          return value;
        },
        (error: unknown) => {
          this.inFlight.delete(key);
          throw error;
        },
      );
      this.inFlight.set(key, pending);
    }
    return signal ? abortable(pending, signal) : pending;
  }

  clear(): void {
    this.entries.clear();
  }

  private store(key: string, value: V) {
    const expiresAt = this.expiryOf(value)?.getTime();
    if (expiresAt === undefined || expiresAt - this.refreshMarginMs <= Date.now()) return; // would be stale at once
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

function abortable<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  if (signal.aborted) return Promise.reject(new Enable3AbortError("aborted by the caller", { cause: signal.reason }));
  return new Promise<V>((resolve, reject) => {
    const onAbort = () => reject(new Enable3AbortError("aborted by the caller", { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
