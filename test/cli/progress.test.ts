// The import progress display, on a fake stream: one line that fits the width, messages above it,
// separators, a rate only once it means something. (test/cli/import-terminal.mock.test.ts drives it in tmux.)
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgressReporter, type LineCounts } from "../../src/cli/progress.js";

function fakeStream(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  return { stream: { isTTY, columns, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream, writes };
}
const counts = (delivered: number, failed = 0, extra: Partial<LineCounts> = {}): LineCounts => ({
  delivered,
  failed,
  invalid: 0,
  pending: 0,
  blank: 0,
  ...extra,
});
/** What a terminal would show of a redraw: the text after the last carriage return, without the clear. */
const shown = (write: string) => write.split("\r").at(-1)!.replace("\x1b[K", "").replace(/\n$/, "");
afterEach(() => vi.useRealTimers());

describe("progress on a terminal", () => {
  it.each([40, 60, 80, 120])("never writes a line as wide as a %i-column terminal", (columns) => {
    let t = 0;
    const { stream, writes } = fakeStream(true, columns);
    const progress = createProgressReporter({ stream, total: 1_234_567, now: () => t });
    for (let i = 1; i <= 50; i++) {
      t += 200;
      progress.update(counts(i * 20_000, i * 3_000, { invalid: 12, pending: 5 }));
    }
    progress.done();
    for (const write of writes) expect(shown(write).length).toBeLessThan(columns);
  });

  it("at 40 columns keeps the failed count: the line count goes first, as the percentage says it", () => {
    let t = 0;
    const { stream, writes } = fakeStream(true, 40);
    const progress = createProgressReporter({ stream, total: 1_234_567, now: () => t });
    t = 3000;
    progress.update(counts(1_200_000, 34_000, { invalid: 12 }));
    expect(shown(writes.at(-1)!)).toMatch(/^ 99% 1,200,000 ok {2}34,012 failed/);
  });

  it("reaches exactly 100% and counts every kind of line", () => {
    let t = 0;
    const { stream, writes } = fakeStream(true, 120);
    const progress = createProgressReporter({ stream, total: 1000, now: () => t });
    t = 3000;
    progress.update(counts(900, 50, { invalid: 30, blank: 20 }));
    progress.done();
    expect(shown(writes.at(-1)!)).toMatch(/^\[#{30}\] 100% 1,000\/1,000 lines {2}900 ok {2}80 failed/);
    expect(writes.at(-1)!.endsWith("\n")).toBe(true);
  });

  it("quotes no rate or ETA in the first moments, then a smoothed one", () => {
    let t = 0;
    const { stream, writes } = fakeStream(true, 120);
    const progress = createProgressReporter({ stream, total: 10_000, now: () => t });
    t = 300;
    progress.update(counts(5));
    expect(shown(writes.at(-1)!)).not.toMatch(/\/s|ETA/);
    for (let i = 1; i <= 10; i++) {
      t = 300 + i * 600;
      progress.update(counts(100 * i));
    }
    expect(shown(writes.at(-1)!)).toMatch(/ 1[56]\d\/s {2}ETA 5\ds$/); // 1,000 lines in 6 s
  });

  it("prints messages above the bar and redraws the bar after them", () => {
    const t = 0;
    const { stream, writes } = fakeStream(true);
    const progress = createProgressReporter({ stream, total: 100, now: () => t });
    progress.update(counts(10));
    progress.message("line 7: not valid JSON");
    expect(writes.at(-2)).toBe("\r\x1b[Kline 7: not valid JSON\n");
    expect(shown(writes.at(-1)!)).toMatch(/10\/100 lines/);
  });

  it("redraws at most ten times a second, and done() twice ends the line once", () => {
    let t = 0;
    const { stream, writes } = fakeStream(true);
    const progress = createProgressReporter({ stream, total: 100, now: () => t });
    progress.update(counts(1));
    t = 50;
    progress.update(counts(2));
    expect(writes).toHaveLength(1);
    progress.done();
    progress.done();
    expect(writes).toHaveLength(2);
  });
});

describe("progress elsewhere", () => {
  it("writes a plain line every interval, and stops at done", () => {
    vi.useFakeTimers();
    const { stream, writes } = fakeStream(false);
    const progress = createProgressReporter({ stream, plainIntervalMs: 1000 });
    progress.update(counts(4_000, 1));
    vi.advanceTimersByTime(2500);
    expect(writes).toHaveLength(2);
    expect(writes[0]).toBe("progress: 4,001 lines, 4,000 ok, 1 failed\n");
    progress.done();
    vi.advanceTimersByTime(5000);
    expect(writes).toHaveLength(2);
  });
});
