// Progress of a long import: one bar line redrawn in place on a terminal (never wider than it, so it
// never wraps), messages printed above it; plain lines every few seconds elsewhere (logs, CI).

/** Lines of the input by what became of them; every line read ends in exactly one of these. */
export interface LineCounts {
  delivered: number;
  /** Records that failed (validation, the API, a duplicate id). */
  failed: number;
  /** Lines that were not JSON. */
  invalid: number;
  /** Records read and kept in the journal, not yet delivered (sent by the next run). */
  pending: number;
  /** Blank lines, skipped. */
  blank: number;
}

export interface ProgressReporter {
  /** The counts changed. */
  update(counts: LineCounts): void;
  /** A message for the user, printed above the bar. */
  message(text: string): void;
  /** Draws the final state and ends the bar's line. Safe to call twice. */
  done(): void;
}

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  /** Lines in the file, when known: gives the bar its percentage and ETA. */
  total?: number;
  /** How often a plain line is written when the stream is not a terminal. @default 2000 */
  plainIntervalMs?: number;
  now?: () => number;
}

/** Separators for thousands: 12,345. */
export const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** "1 blank line", "2 blank lines". */
export const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

/** Lines done with: pending ones are not (the next run sends them). */
export const processed = (c: LineCounts) => c.delivered + c.failed + c.invalid + c.blank;

const REDRAW_MS = 100;
/** No rate (or ETA) is quoted before this much time and this many lines: early figures mislead. */
const RATE_AFTER_MS = 1500;
const RATE_AFTER_LINES = 20;
/** Weight of the newest rate sample in the moving average. */
const SMOOTHING = 0.3;

export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const state: Progress = {
    total: options.total,
    now,
    started,
    counts: { delivered: 0, failed: 0, invalid: 0, pending: 0, blank: 0 },
    rate: undefined,
    sample: { at: started, done: 0 },
  };
  return options.stream.isTTY
    ? terminalReporter(state, options.stream)
    : plainReporter(state, options.stream, options.plainIntervalMs ?? 2000);
}

/** What the figures are drawn from: the latest counts and the smoothed rate. */
interface Progress {
  readonly total: number | undefined;
  readonly now: () => number;
  readonly started: number;
  counts: LineCounts;
  rate: number | undefined;
  sample: { at: number; done: number };
}

/** Plain lines every `intervalMs` (logs, CI): nothing redrawn, messages as they come. */
function plainReporter(p: Progress, stream: NodeJS.WriteStream, intervalMs: number): ProgressReporter {
  const timer = setInterval(() => {
    sampleRate(p);
    const shown = figures(p).map((f) => f.text);
    stream.write(`progress: ${shown.join(", ")}\n`);
  }, intervalMs);
  timer.unref();
  return {
    update: (c) => {
      p.counts = c;
    },
    message: (text) => void stream.write(`${text}\n`),
    done: () => clearInterval(timer),
  };
}

/** One bar line redrawn in place, at most every REDRAW_MS; messages printed above it. */
function terminalReporter(p: Progress, stream: NodeJS.WriteStream): ProgressReporter {
  let lastDraw = -Infinity;
  let finished = false;
  const draw = () => {
    lastDraw = p.now();
    sampleRate(p);
    stream.write(`\r${barLine(p, stream.columns)}\x1b[K`);
  };
  return {
    update(c) {
      p.counts = c;
      if (!finished && p.now() - lastDraw >= REDRAW_MS) draw();
    },
    message(text) {
      stream.write(`\r\x1b[K${text}\n`);
      if (!finished) draw();
    },
    done() {
      if (finished) return;
      finished = true;
      sampleRate(p);
      stream.write(`\r${barLine(p, stream.columns)}\x1b[K\n`);
    },
  };
}

function sampleRate(p: Progress): void {
  const t = p.now();
  const done = processed(p.counts);
  if (t - p.sample.at < 500) return;
  const current = ((done - p.sample.done) * 1000) / (t - p.sample.at);
  p.sample = { at: t, done };
  if (t - p.started < RATE_AFTER_MS || done < RATE_AFTER_LINES) return;
  p.rate = p.rate === undefined ? (done * 1000) / (t - p.started) : SMOOTHING * current + (1 - SMOOTHING) * p.rate;
}

/**
 * Each figure, in the order shown, with the rank it is dropped in on a narrow terminal (highest
 * first): the failed count is the last to go, and the line count goes before the ok count when the
 * percentage says as much.
 */
function figures({ counts, total, rate }: Progress): { text: string; drop: number }[] {
  const done = processed(counts);
  const failed = counts.failed + counts.invalid;
  const list = [
    { text: `${fmt(done)}${total ? `/${fmt(total)}` : ""} lines`, drop: total ? 3 : 2 },
    { text: `${fmt(counts.delivered)} ok`, drop: total ? 2 : 3 },
    { text: `${fmt(failed)} failed`, drop: 1 },
  ];
  if (counts.pending) list.push({ text: `${fmt(counts.pending)} pending`, drop: 4 });
  if (rate !== undefined) list.push({ text: `${fmt(rate)}/s`, drop: 5 });
  if (rate && total && done < total) list.push({ text: `ETA ${duration((total - done) / rate)}`, drop: 6 });
  return list;
}

/** The bar's line, fitted to a terminal `columns` wide: figures dropped by rank, the bar only where it fits. */
function barLine(p: Progress, columns: number | undefined): string {
  const { total } = p;
  // one column short of the width: writing the last column makes some terminals wrap
  const width = Math.max(20, (columns || 80) - 1);
  const shown = figures(p);
  const done = processed(p.counts);
  const percent = total ? Math.min(100, Math.floor((done / total) * 100)) : undefined;
  const head = percent === undefined ? "" : `${String(percent).padStart(3)}% `;
  const join = () => head + shown.map((f) => f.text).join("  ");
  let text = join();
  while (text.length > width && shown.length > 1) {
    const last = shown.reduce((a, b) => (b.drop > a.drop ? b : a));
    shown.splice(shown.indexOf(last), 1);
    text = join();
  }
  const barWidth = Math.min(30, width - text.length - 3);
  if (percent !== undefined && width >= 60 && barWidth >= 10) {
    const filled = Math.round((done / total!) * barWidth);
    text = `[${"#".repeat(filled)}${".".repeat(barWidth - filled)}] ${text}`;
  }
  return text.slice(0, width);
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
