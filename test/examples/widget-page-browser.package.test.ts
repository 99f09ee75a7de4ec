// A real browser (see helpers/browser.ts for which) loads the widget-page example: the iframe shows the API's URL, the key never
// reaches the browser, and the iframe helper fed a hostile URL runs no script.
import type { Browser } from "playwright-core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createEnable3Client } from "../../src/index.js";
import { widgetIframeHtml } from "../../src/widget.js";
import { launchChromium } from "../helpers/browser.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, type ScriptedServer, startScriptedServer } from "../helpers/http-server.js";
import { type Started, startScript } from "../helpers/process.js";

let browser: Browser;
let page: Started;
let hostile: ScriptedServer;
const HOSTILE_URL = 'https://x/"><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

// each helper registers its own teardown as it starts, so a failed start leaves nothing running
beforeAll(async () => {
  [browser, page, hostile] = await Promise.all([
    launchChromium(),
    startScript("examples/widget-page/server.mjs", { ENABLE3_BASE_URL: inject("prismUrl"), ENABLE3_API_KEY: TEST_KEY }),
    startScriptedServer((_req, res) =>
      reply(res, 200, `<!doctype html><html><body>${widgetIframeHtml(HOSTILE_URL)}</body></html>`, { "content-type": "text/html" }),
    ),
  ]);
}, 60_000);

describe("widget page in Chromium", () => {
  it("embeds the URL the API returned, and nothing the browser receives or sends holds the key", async () => {
    const { url } = await createEnable3Client({ apiKey: TEST_KEY, baseUrl: inject("prismUrl") }).getWidgetUrl("player-42");
    const context = await browser.newContext();
    const tab = await context.newPage();
    const seen: string[] = [];
    tab.on("request", (request) => seen.push(request.url(), JSON.stringify(request.headers())));
    tab.on("response", async (response) => {
      seen.push(JSON.stringify(await response.allHeaders()));
      // a redirect has no body to read
      if (response.url().startsWith(page.url) && response.status() < 300) seen.push(await response.text());
    });
    await tab.goto(page.url, { waitUntil: "domcontentloaded" }); // not signed in: the sign-in form
    await tab.fill('input[name="user"]', "player-42");
    await tab.fill('input[name="password"]', "let-me-in");
    await Promise.all([tab.waitForURL(`${page.url}/`), tab.click("button")]);
    const src = await tab.locator("iframe").getAttribute("src");
    expect(src).toBe(url);
    expect(await tab.locator("iframe").getAttribute("title")).toBe("Enable3 rewards");
    expect(seen.join("\n")).toContain("<iframe");
    expect(seen.join("\n")).not.toContain(TEST_KEY);
    expect(await tab.content()).not.toContain(TEST_KEY);
    await context.close();
  });

  it("a hostile URL given to the iframe helper runs no script", async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(hostile.url, { waitUntil: "load" });
    expect(await tab.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await tab.locator("script").count()).toBe(0);
    expect(await tab.locator("img").count()).toBe(0);
    expect(await tab.locator("iframe").count()).toBe(1);
    expect(await tab.locator("iframe").getAttribute("src")).toBe(HOSTILE_URL);
    await context.close();
  });
});
