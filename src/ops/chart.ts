// The last hour as an SVG drawn on the server: per minute a stacked bar of deliveries, retries and dead
// records (left axis), and the oldest pending record's age as a line (right axis). Colours are SVG
// attributes, not style, so the page needs no inline style beyond its one nonce'd sheet.
import type { OutboxMinute } from "../outbox/history.js";
import { escapeHtml, formatAge, formatClock } from "./text.js";

const WIDTH = 760;
const HEIGHT = 240;
const LEFT = 44;
const RIGHT = 64;
const TOP = 14;
const BOTTOM = 30;
const PLOT_W = WIDTH - LEFT - RIGHT;
const PLOT_H = HEIGHT - TOP - BOTTOM;

export const COLOURS = { delivered: "#2b8a3e", retried: "#e8890c", dead: "#c92a2a", age: "#1c64b5" } as const;

/** A round number at or above `value` (1, 2, 5 × 10^n), so the axis reads well. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Age axis tops that read as round durations: seconds, minutes, hours, days. */
const AGE_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400, 172800, 604800];

function ageCeiling(ms: number): number {
  const s = ms / 1000;
  return (AGE_STEPS_S.find((step) => step >= s) ?? Math.ceil(s / 604800) * 604800) * 1000;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function lastHourChart(minutes: readonly OutboxMinute[]): string {
  const count = minutes.length || 1;
  const slot = PLOT_W / count;
  const maxCount = niceCeiling(Math.max(...minutes.map((m) => m.delivered + m.retried + m.dead), 0));
  const maxAge = ageCeiling(Math.max(...minutes.map((m) => m.oldestPendingMs ?? 0), 0));
  const y = (value: number, max: number) => round(TOP + PLOT_H - (value / max) * PLOT_H);
  const parts: string[] = [];
  // grid and axes
  for (const f of [0, 0.5, 1]) {
    const gy = y(f * maxCount, maxCount);
    parts.push(`<line x1="${LEFT}" y1="${gy}" x2="${LEFT + PLOT_W}" y2="${gy}" stroke="#dde1e6" stroke-width="1"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${gy + 4}" text-anchor="end" class="axis">${round(f * maxCount)}</text>`);
    parts.push(
      `<text x="${LEFT + PLOT_W + 6}" y="${gy + 4}" class="axis" fill="${COLOURS.age}">${f === 0 ? "0" : escapeHtml(formatAge(f * maxAge))}</text>`,
    );
  }
  minutes.forEach((m, i) => {
    const x = round(LEFT + i * slot + slot * 0.15);
    const w = round(slot * 0.7);
    let base = 0;
    for (const key of ["delivered", "retried", "dead"] as const) {
      if (m[key] === 0) continue;
      const top = y(base + m[key], maxCount);
      parts.push(`<rect x="${x}" y="${top}" width="${w}" height="${round(y(base, maxCount) - top)}" fill="${COLOURS[key]}"/>`);
      base += m[key];
    }
    const age = m.oldestPendingMs === null ? "not looked at" : formatAge(m.oldestPendingMs);
    const tip = `${formatClock(m.at)}: ${m.delivered} delivered, ${m.retried} retried, ${m.dead} dead; oldest pending ${age}`;
    parts.push(
      `<rect x="${round(LEFT + i * slot)}" y="${TOP}" width="${round(slot)}" height="${PLOT_H}" fill="transparent"><title>${escapeHtml(tip)}</title></rect>`,
    );
    if (i % 15 === 0 || i === count - 1) {
      const label = i === count - 1 ? "now" : formatClock(m.at).slice(0, 5);
      parts.push(`<text x="${round(LEFT + i * slot + slot / 2)}" y="${HEIGHT - 10}" text-anchor="middle" class="axis">${label}</text>`);
    }
  });
  parts.push(agePath(minutes, slot, (ms) => y(ms, maxAge)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="chart-title" class="chart">`,
    `<title id="chart-title">The last hour, per minute: deliveries, retries and dead records (bars, left axis) and the oldest pending record's age (line, right axis)</title>`,
    ...parts,
    `<line x1="${LEFT}" y1="${TOP + PLOT_H}" x2="${LEFT + PLOT_W}" y2="${TOP + PLOT_H}" stroke="#868e96" stroke-width="1"/>`,
    "</svg>",
  ].join("");
}

/** The age line, broken where a minute was not looked at. */
function agePath(minutes: readonly OutboxMinute[], slot: number, y: (ms: number) => number): string {
  let d = "";
  let drawing = false;
  minutes.forEach((m, i) => {
    if (m.oldestPendingMs === null) {
      drawing = false;
      return;
    }
    d += `${drawing ? "L" : "M"}${round(LEFT + i * slot + slot / 2)} ${y(m.oldestPendingMs)}`;
    drawing = true;
  });
  if (d === "") return "";
  return `<path d="${d}" fill="none" stroke="${COLOURS.age}" stroke-width="2" stroke-linejoin="round"/>`;
}
