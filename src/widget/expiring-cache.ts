// An expiring LRU cache with single flight, for widget URLs and SDK tokens: fetched on every page
// view or app start, yet valid for a day.
import { Enable3AbortError } from "../errors/network.js";
import { whenAborted } from "../internal/abort.js";
import { WIDGET_CACHE_DEFAULTS } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import { checkKnownKeys, MAX_TIMER_MS, numberIn, plainObject } from "../internal/validate.js";

/** Options of createWidgetCache. */
export interface WidgetCacheOptions {
  /** Entries kept at most; the least recently used goes first. @default 1000 */
  maxEntries?: number | undefined;
  /** An entry is refreshed this long before it expires, in ms. @default 300000 (5 minutes) */
  refreshMarginMs?: number | undefined;
}

const WIDGET_CACHE_OPTION_KEYS = optionKeys<WidgetCacheOptions>()(["maxEntries", "refreshMarginMs"]);

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** One load shared by every caller of its key; it is aborted when the last caller still waiting gives up. */
interface Flight<V> {
  promise: Promise<V>;
  controller: AbortController;
  waiting: number;
}

export class ExpiringCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inFlight = new Map<string, Flight<V>>();
  /** Bumped by clear(): a load that started before it must not refill the cache. */
  private generation = 0;
  readonly maxEntries: number;
  readonly refreshMarginMs: number;

  constructor(
    options: WidgetCacheOptions | undefined,
    private readonly expiryOf: (value: V) => Date | undefined,
  ) {
    const o = options === undefined ? {} : plainObject(options, "options");
    checkKnownKeys(o, WIDGET_CACHE_OPTION_KEYS, "options");
    this.maxEntries =
      o.maxEntries === undefined
        ? WIDGET_CACHE_DEFAULTS.maxEntries
        : numberIn(o.maxEntries, "options.maxEntries", 1, Number.MAX_SAFE_INTEGER, true);
    this.refreshMarginMs =
      o.refreshMarginMs === undefined
        ? WIDGET_CACHE_DEFAULTS.refreshMarginMs
        : numberIn(o.refreshMarginMs, "options.refreshMarginMs", 0, MAX_TIMER_MS);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * A fresh cached value, or the result of `load`, shared by every concurrent caller of the same key.
   * A caller's signal ends only that caller's wait; when no caller is left waiting, the load is
   * aborted through the signal it was given. Failures are not cached.
   */
  get(key: string, load: (signal: AbortSignal) => Promise<V>, signal?: AbortSignal): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt - this.refreshMarginMs > Date.now()) {
      this.entries.delete(key); // re-insert: Map order is the LRU order
      this.entries.set(key, entry);
      return Promise.resolve(entry.value);
    }
    if (entry) this.entries.delete(key);
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const flight = this.inFlight.get(key) ?? this.start(key, load);
    flight.waiting++;
    if (!signal) return flight.promise;
    return new Promise<V>((resolve, reject) => {
      const onAbort = () => {
        reject(abortError(signal));
        if (--flight.waiting === 0) flight.controller.abort(signal.reason);
      };
      const stopWaiting = whenAborted(signal, onAbort);
      flight.promise.then(resolve, reject).finally(stopWaiting);
    });
  }

  /** Forgets every entry; loads already running still answer their callers but store nothing. */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.inFlight.clear();
  }

  private start(key: string, load: (signal: AbortSignal) => Promise<V>): Flight<V> {
    const generation = this.generation;
    const controller = new AbortController();
    const done = () => {
      if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
    };
    const flight: Flight<V> = {
      controller,
      waiting: 0,
      promise: load(controller.signal).then(
        (value) => {
          done();
          if (generation === this.generation) this.store(key, value);
          return value;
        },
        (error: unknown) => {
          done();
          throw error;
        },
      ),
    };
    flight.promise.catch(() => {}); // every waiter gets the error; an abandoned load must not be unhandled
    this.inFlight.set(key, flight);
    return flight;
  }

  private store(key: string, value: V) {
    const expiresAt = this.expiryOf(value)?.getTime();
    if (expiresAt === undefined || expiresAt - this.refreshMarginMs <= Date.now()) return; // would be stale at once
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

function abortError(signal: AbortSignal): Enable3AbortError {
  return new Enable3AbortError("aborted by the caller", { cause: signal.reason });
}
