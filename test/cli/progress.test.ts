// The import progress display: a bar with rate and ETA on a terminal, plain periodic lines elsewhere.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgressReporter } from "../../src/cli/progress.js";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream, writes };
}
afterEach(() => vi.useRealTimers());

describe("progress", () => {
  it("draws a bar with counts, percentage, rate and ETA on a terminal", () => {
    let t = 0;
    const { stream, writes } = fakeStream(true);
    const progress = createProgressReporter({ stream, total: 1000, now: () => t });
    t = 2000;
    progress.update({ read: 260, delivered: 240, failed: 10, inFlight: 8 });
    expect(writes.at(-1)).toBe("\r\x1b[2K[######..................] 25% 250/1,000 records  240 delivered  10 failed  125/s  ETA 6s");
    t = 2050;
    progress.update({ read: 270, delivered: 250, failed: 10, inFlight: 8 });
    expect(writes).toHaveLength(1); // at most ten redraws a second
    progress.done();
    progress.done();
    expect(writes).toHaveLength(2);
    expect(writes.at(-1)!.endsWith("\n")).toBe(true);
  });

  it("writes a plain line every interval when not on a terminal, and stops at done", () => {
    vi.useFakeTimers();
    const { stream, writes } = fakeStream(false);
    const progress = createProgressReporter({ stream, plainIntervalMs: 1000 });
    progress.update({ read: 5, delivered: 4, failed: 1, inFlight: 0 });
    vi.advanceTimersByTime(2500);
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^progress: 5 records, 4 delivered, 1 failed, \d+\/s\n$/);
    progress.done();
    vi.advanceTimersByTime(5000);
    expect(writes).toHaveLength(2);
  });
});
