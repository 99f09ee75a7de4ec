// A timeout as an AbortSignal whose timer is always cleared, so a finished call keeps nothing alive.

export interface Timer {
  signal: AbortSignal;
  remaining(): number;
  clear(): void;
}

export function startTimer(ms: number): Timer {
  const controller = new AbortController();
  const endsAt = Date.now() + ms;
  const handle = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError")), ms);
  return {
    signal: controller.signal,
    remaining: () => Math.max(0, endsAt - Date.now()),
    clear: () => clearTimeout(handle),
  };
}
