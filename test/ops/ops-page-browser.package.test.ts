// The operations page in a real Chromium: it shows the figures its JSON shows, logs no console error
// and no CSP violation, and a replay from the page re-queues a dead record only when writes are allowed
// (a read-only page has no forms and refuses a POST; a forged form from another origin is refused).
// With ENABLE3_UPDATE_SCREENSHOT=1 it also writes docs/ops-page.png.
import { copyFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createMinuteRing } from "../../src/internal/minute-ring.js";
import type { OpsFigures } from "../../src/ops.js";
import { launchChromium } from "../helpers/browser.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { busyReceiver, formPage, outboxWithDead, servePage } from "./fixture.js";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

/** A tab that records console errors, page errors and CSP violations. */
async function watchedTab() {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  const tab = await context.newPage();
  const problems: string[] = [];
  tab.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  tab.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await tab.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const w = window as unknown as { __violations?: string[] };
      w.__violations = [...(w.__violations ?? []), `${event.violatedDirective} ${event.blockedURI}`];
    });
  });
  const violations = async () => (await tab.evaluate(() => (window as unknown as { __violations?: string[] }).__violations)) ?? [];
  return { context, tab, problems, violations };
}

const figure = (tab: Page, name: string) => tab.locator(`[data-figure="${name}"]`).textContent();

async function expectFiguresShown(tab: Page, figures: OpsFigures) {
  const o = figures.outbox!;
  expect(await figure(tab, "outbox.state")).toBe(o.state);
  expect(await figure(tab, "outbox.pending")).toBe(String(o.pending));
  expect(await figure(tab, "outbox.inFlight")).toBe(String(o.inFlight));
  expect(await figure(tab, "outbox.dead")).toBe(String(o.dead));
  expect(await figure(tab, "outbox.deliveredLastHour")).toBe(String(o.deliveredLastHour));
  const rows = tab.locator("tr[data-dead-id]");
  expect(await rows.count()).toBe(o.deadRecords.length);
  for (const record of o.deadRecords) {
    const row = tab.locator("tr[data-dead-id]").filter({ hasText: record.id });
    expect(await row.locator("td.id").textContent()).toBe(record.id);
    expect(await row.locator("td.reason").textContent()).toBe(record.reason);
  }
  const r = figures.receiver!.total;
  for (const key of ["processed", "duplicate", "refused", "failed"] as const)
    expect(await figure(tab, `receiver.${key}`)).toBe(String(r[key]));
  for (const [reason, count] of Object.entries(r.refusals)) expect(await figure(tab, `receiver.refusals.${reason}`)).toBe(String(count));
  expect(await tab.locator("svg.chart rect[fill]").count()).toBeGreaterThan(0);
}

describe("the operations page in Chromium", () => {
  it("read-only: shows the figures the JSON shows, no console error, no CSP violation, no forms, a POST refused", async () => {
    const { outbox } = await outboxWithDead({ dead: 2, delivered: 3 });
    const receiver = await busyReceiver();
    const { url, origin } = await servePage(
      { outbox, receiver },
      { "/same-origin-form": () => formPage("/ops", { action: "replay", all: "1" }) },
    );
    const figures = (await (await fetch(`${url}?format=json`)).json()) as OpsFigures;
    const { context, tab, problems, violations } = await watchedTab();
    await tab.goto(url, { waitUntil: "load" });
    await expectFiguresShown(tab, figures);
    expect(await tab.locator("form").count()).toBe(0);
    expect(await tab.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // a form from the page's own origin, as the page would post if it had one: refused
    await tab.goto(`${origin}/same-origin-form`);
    const [answer] = await Promise.all([tab.waitForResponse((r) => r.request().method() === "POST"), tab.click("#send")]);
    expect(answer.status()).toBe(403);
    expect(outbox.stats().dead).toBe(2);
    expect(problems.filter((p) => !p.includes("403"))).toEqual([]);
    await tab.goto(url, { waitUntil: "load" });
    expect(await violations()).toEqual([]);
    await context.close();
  });

  it("writes allowed: Replay on a row re-queues that record; a forged form from another origin is refused", async () => {
    const { outbox, deadIds, accept } = await outboxWithDead({ dead: 2, delivered: 3 });
    const receiver = await busyReceiver();
    const { url } = await servePage({ outbox, receiver, allowWrites: true });
    const { csrfToken } = (await (await fetch(`${url}?format=json`)).json()) as OpsFigures;
    // another origin (another port) holding even a valid token: the browser says cross-site, the page refuses
    const forger = await servePage({}, { "/forged": () => formPage(url, { action: "replay", all: "1", token: csrfToken! }) });
    // a tab of its own: the console's report of that 403 may come late, and is no problem of the page
    const forged = await watchedTab();
    await forged.tab.goto(`${forger.origin}/forged`);
    const [refused] = await Promise.all([forged.tab.waitForResponse((r) => r.request().method() === "POST"), forged.tab.click("#send")]);
    expect(refused.status()).toBe(403);
    expect(outbox.stats().dead).toBe(2);
    await forged.context.close();

    const { context, tab, problems, violations } = await watchedTab();

    await tab.goto(url, { waitUntil: "load" });
    await expectFiguresShown(tab, (await (await fetch(`${url}?format=json`)).json()) as OpsFigures);
    accept(deadIds[1]!);
    const row = tab.locator("tr[data-dead-id]").filter({ hasText: deadIds[1]! });
    await Promise.all([tab.waitForURL(/done=replayed/), row.getByRole("button", { name: "Replay" }).click()]);
    expect(await tab.locator(".notice").textContent()).toContain("Replayed 1 dead record");
    await outbox.flush();
    expect(outbox.stats().dead).toBe(1);
    await tab.goto(url, { waitUntil: "load" });
    expect(await figure(tab, "outbox.dead")).toBe("1");
    expect(await tab.locator("tr[data-dead-id]").allTextContents()).toEqual([expect.stringContaining(deadIds[0]!)]);
    expect(problems).toEqual([]);
    expect(await violations()).toEqual([]);
    await context.close();
  });

  it("a screenshot of the page (docs/ops-page.png with ENABLE3_UPDATE_SCREENSHOT=1), drawn from an hour of traffic", async () => {
    const names = ["deposit-7f3a91c2", "deposit-0b44e8d1", "level-up-93ac21fe"];
    const { outbox } = await outboxWithDead({
      dead: 3,
      delivered: 4,
      names,
      reason: 'Event "first-deposit-bonus" is not configured for this operator',
    });
    const receiver = await busyReceiver();
    // the real outbox, its history replaced by an hour of made-up traffic so the picture shows a chart
    let now = Math.floor(Date.now() / 60_000) * 60_000 - 59 * 60_000;
    const ring = createMinuteRing(
      () => ({ delivered: 0, retried: 0, dead: 0, oldestPendingMs: null as number | null }),
      () => now,
    );
    for (let i = 0; i < 60; i++, now += 60_000) {
      const m = ring.current();
      const outage = i >= 22 && i < 31;
      m.delivered = outage ? 0 : Math.round(40 + 25 * Math.sin(i / 6) + (i % 7) * 3 + (i >= 31 && i < 36 ? 60 : 0));
      m.retried = outage ? 12 + (i % 4) : i % 11 === 0 ? 2 : 0;
      m.dead = i === 25 || i === 27 ? 1 : i === 44 ? 1 : 0;
      m.oldestPendingMs = outage ? (i - 21) * 60_000 : i >= 31 && i < 35 ? (35 - i) * 40_000 : 800 + (i % 5) * 300;
    }
    now -= 60_000;
    const pictured = Object.assign(Object.create(outbox) as typeof outbox, { history: () => ring.list() });
    const { url } = await servePage({ outbox: pictured, receiver, allowWrites: true });
    const { context, tab, problems, violations } = await watchedTab();
    await tab.goto(url, { waitUntil: "load" });
    const file = path.join(await makeTempDir("enable3-ops-shot"), "ops-page.png");
    await tab.screenshot({ path: file, fullPage: true });
    expect(problems).toEqual([]);
    expect(await violations()).toEqual([]);
    if (process.env.ENABLE3_UPDATE_SCREENSHOT === "1") await copyFile(file, path.resolve(import.meta.dirname, "../../docs/ops-page.png"));
    await context.close();
  });
});
