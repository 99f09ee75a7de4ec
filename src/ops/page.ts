// The operations page: one self-contained HTML document (no script, no external font, image or sheet;
// one <style> allowed by its nonce), showing the figures, the last hour's chart and the dead records
// with their reasons; the replay and purge forms only when writes are allowed. Every text is escaped.
import type { ReceiverCounts } from "../callback/history.js";
import { COLOURS, lastHourChart } from "./chart.js";
import type { OpsFigures, OpsOutboxFigures } from "./figures.js";
import { STYLE } from "./page-style.js";
import { escapeHtml as e, formatAge, formatTime } from "./text.js";

/** What the page needs beside the figures: the style's nonce, the write token, a notice after a write. */
export interface PageExtras {
  nonce: string;
  token: string | undefined;
  notice: string | undefined;
}

export function renderPage(figures: OpsFigures, extras: PageExtras): string {
  const body = [
    `<header><h1>Enable3 operations</h1><p class="meta">Read at <time data-figure="readAt">${e(formatTime(figures.readAt))}</time> · `,
    figures.writes ? `<span class="badge writes">writes allowed</span>` : `<span class="badge">read-only</span>`,
    ` · <a href="?">refresh</a> · <a href="?format=json">JSON</a></p></header>`,
    extras.notice ? `<p class="notice" role="status">${e(extras.notice)}</p>` : "",
    figures.outbox ? outboxSection(figures.outbox, extras.token) : "",
    figures.receiver ? receiverSection(figures.receiver.total, figures.receiver.minutes) : "",
    !figures.outbox && !figures.receiver ? "<p>Nothing to show: give createOpsHandler an outbox or a receiver.</p>" : "",
  ];
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="same-origin"><link rel="icon" href="data:,"><title>Enable3 operations</title>',
    `<style nonce="${e(extras.nonce)}">${STYLE}</style></head>`,
    `<body><main>${body.join("")}</main></body></html>`,
  ].join("");
}

const card = (label: string, figure: string, value: string | number, tone = "") =>
  `<div class="card ${tone}"><div class="label">${e(label)}</div><div class="value" data-figure="${e(figure)}">${e(value)}</div></div>`;

function outboxSection(o: OpsOutboxFigures, token: string | undefined): string {
  const stateTone = o.state === "open" ? "good" : o.state === "paused" || o.state === "failed" ? "bad" : "";
  const parts = [
    "<section><h2>Outbox</h2>",
    o.problem ? `<p class="alert" data-figure="outbox.problem"><strong>${e(o.state)}:</strong> ${e(o.problem)}</p>` : "",
    '<div class="cards">',
    card("State", "outbox.state", o.state, stateTone),
    card("Pending", "outbox.pending", o.pending),
    card("In flight", "outbox.inFlight", o.inFlight),
    card("Dead", "outbox.dead", o.dead, o.dead > 0 ? "bad" : ""),
    card("Oldest pending", "outbox.oldestPending", formatAge(o.oldestPendingMs)),
    card("Delivered, last hour", "outbox.deliveredLastHour", o.deliveredLastHour),
    "</div>",
    '<figure class="panel"><figcaption>The last hour, per minute ',
    legend("delivered", "delivered"),
    legend("retried", "retried"),
    legend("dead", "dead"),
    legend("age", "oldest pending age"),
    `</figcaption>${lastHourChart(o.minutes)}</figure>`,
    heldBackTable(o),
    deadTable(o, token),
    "</section>",
  ];
  return parts.join("");
}

/** Pending records by kind, and the keys (users) held back behind a pending record of theirs, and for how long. */
function heldBackTable(o: OpsOutboxFigures): string {
  const kinds = Object.entries(o.pendingByKind)
    .map(([kind, n]) => `${e(kind)} <strong data-figure="outbox.pendingByKind.${e(kind)}">${e(n)}</strong>`)
    .join(", ");
  const error = o.reportError
    ? `<p class="alert" data-figure="outbox.reportError">The store could not be read: ${e(o.reportError)}</p>`
    : "";
  const lead = `<h3>Pending by kind and held back</h3>${error}<p class="muted">Pending: ${kinds || "none"}.</p>`;
  if (o.heldBack.length === 0) return `${lead}<p class="muted" data-figure="outbox.noHeldBack">No key is held back.</p>`;
  const rows = o.heldBack
    .map((k) => `<tr data-held-key="${e(k.key)}"><td>${e(k.key)}</td><td>${e(k.waiting)}</td><td>${e(formatAge(k.pendingForMs))}</td></tr>`)
    .join("");
  return `${lead}<table><thead><tr><th>Key (user)</th><th>Waiting</th><th>Held back for</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const legend = (key: keyof typeof COLOURS, label: string) =>
  `<span class="legend"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" rx="2" fill="${COLOURS[key]}"/></svg>${e(label)}</span>`;

/** A form that POSTs one write, with the page's token. */
function writeForm(token: string, action: string, fields: Record<string, string>, label: string, tone = ""): string {
  const hidden = Object.entries({ action, token, ...fields })
    .map(([name, value]) => `<input type="hidden" name="${e(name)}" value="${e(value)}">`)
    .join("");
  return `<form method="post" class="inline">${hidden}<button type="submit" class="${tone}">${e(label)}</button></form>`;
}

function deadTable(o: OpsOutboxFigures, token: string | undefined): string {
  const shown = o.deadRecords.length;
  const heading = `<h3>Dead records <span class="muted">${shown < o.dead ? `(the first ${shown} of ${o.dead})` : `(${shown})`}</span></h3>`;
  const error = o.deadRecordsError
    ? `<p class="alert" data-figure="outbox.deadRecordsError">The store could not list its dead records: ${e(o.deadRecordsError)}</p>`
    : "";
  const actions =
    token && o.dead > 0
      ? `<div class="actions">${writeForm(token, "replay", { all: "1" }, "Replay all dead records")}${`<form method="post" class="inline"><input type="hidden" name="action" value="purge"><input type="hidden" name="token" value="${e(token)}"><label>Purge dead records older than <input type="number" name="olderThanDays" value="30" min="0" step="1"> days</label> <button type="submit" class="danger">Purge</button></form>`}</div>`
      : "";
  if (shown === 0) return `${heading}${error}<p class="muted" data-figure="outbox.noDead">No dead records.</p>`;
  const head = ["ID", "Kind", "Attempts", "Status", "Reason", "Enqueued", "Died", ...(token ? [""] : [])]
    .map((h) => `<th>${e(h)}</th>`)
    .join("");
  const rows = o.deadRecords.map(
    (r) =>
      `<tr data-dead-id="${e(r.id)}"><td class="id">${e(r.id)}</td><td>${e(r.kind)}</td><td class="num">${r.attempts}</td><td class="num">${e(
        r.status ?? "—",
      )}</td><td class="reason">${e(r.reason)}</td><td class="time">${e(formatTime(r.enqueuedAt))}</td><td class="time">${e(formatTime(r.diedAt))}</td>${
        token ? `<td>${writeForm(token, "replay", { id: r.id }, "Replay")}</td>` : ""
      }</tr>`,
  );
  return `${heading}${error}${actions}<div class="scroll"><table class="dead"><thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function receiverSection(total: ReceiverCounts, minutes: readonly ReceiverCounts[]): string {
  const hour = (key: "processed" | "duplicate" | "refused" | "failed") => minutes.reduce((sum, m) => sum + m[key], 0);
  const reasons = (which: "refusals" | "failures") => {
    const names = new Set<string>([...Object.keys(total[which]), ...minutes.flatMap((m) => Object.keys(m[which]))]);
    if (names.size === 0) return `<p class="muted">None.</p>`;
    const rows = [...names].sort().map((name) => {
      const inHour = minutes.reduce((sum, m) => sum + ((m[which] as Record<string, number>)[name] ?? 0), 0);
      const all = (total[which] as Record<string, number>)[name] ?? 0;
      return `<tr><td>${e(name)}</td><td class="num" data-figure="receiver.${which}.${e(name)}.hour">${inHour}</td><td class="num" data-figure="receiver.${which}.${e(name)}">${all}</td></tr>`;
    });
    return `<table class="reasons"><thead><tr><th>Reason</th><th>Last hour</th><th>Total</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  };
  return [
    "<section><h2>Withdrawal receiver</h2>",
    '<div class="cards">',
    card("Processed", "receiver.processed", total.processed, "good"),
    card("Duplicates", "receiver.duplicate", total.duplicate),
    card("Refused", "receiver.refused", total.refused, total.refused > 0 ? "warn" : ""),
    card("Failed", "receiver.failed", total.failed, total.failed > 0 ? "bad" : ""),
    "</div>",
    `<p class="muted">Totals since this process started. Last hour: processed ${hour("processed")}, duplicates ${hour("duplicate")}, refused ${hour("refused")}, failed ${hour("failed")}.</p>`,
    '<div class="two"><div><h3>Refusals (4xx) by reason</h3>',
    reasons("refusals"),
    "</div><div><h3>Failures (5xx) by reason</h3>",
    reasons("failures"),
    "</div></div></section>",
  ].join("");
}
