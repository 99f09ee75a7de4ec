// Progress of a long import: a redrawn bar on a terminal, periodic plain lines elsewhere (logs, CI).
import type { BulkProgress } from "../index.js";

export interface ProgressReporter {
  update(progress: BulkProgress): void;
  /** Stops the timer and ends the bar's line. */
  done(): void;
}

const BAR_WIDTH = 24;

export function createProgressReporter(options: {
  stream: NodeJS.WriteStream;
  /** Lines in the file, when known: gives the bar its percentage and ETA. */
  total?: number;
  /** How often a plain line is written when the stream is not a terminal. Default 2000 ms. */
  plainIntervalMs?: number;
  now?: () => number;
}): ProgressReporter {
  const { stream, total } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let latest: BulkProgress = { read: 0, delivered: 0, failed: 0, inFlight: 0 };
  let lastDraw = -Infinity;
  let finished = false;

  const describe = (tty: boolean) => {
    const settled = latest.delivered + latest.failed;
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? settled / seconds : 0;
    const parts = [`${fmt(settled)}${total ? `/${fmt(total)}` : ""} records`, `${fmt(latest.delivered)} delivered`, `${fmt(latest.failed)} failed`, `${fmt(Math.round(rate))}/s`];
    if (total && rate > 0) parts.push(`ETA ${Math.max(0, Math.ceil((total - settled) / rate))}s`);
    if (!tty || !total) return parts.join(", ");
    const filled = Math.min(BAR_WIDTH, Math.round((settled / total) * BAR_WIDTH));
    return `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${Math.floor((settled / total) * 100)}% ${parts.join("  ")}`;
  };

  if (!stream.isTTY) {
    const timer = setInterval(() => stream.write(`progress: ${describe(false)}\n`), options.plainIntervalMs ?? 2000);
    timer.unref();
    return {
      update: (p) => void (latest = p),
      done: () => clearInterval(timer),
    };
  }
  return {
    update(p) {
      latest = p;
      if (now() - lastDraw < 100) return; // redraw at most ten times a second
      lastDraw = now();
      stream.write(`\r\x1b[2K${describe(true)}`);
    },
    done() {
      if (finished) return;
      finished = true;
      stream.write(`\r\x1b[2K${describe(true)}\n`);
    },
  };
}

const fmt = (n: number) => n.toLocaleString("en-US");
