// examples/widget-page run as documented, against the Prism mock.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createEnable3Client } from "../../src/index.js";
import { TEST_KEY } from "../helpers/client.js";
import { type Started, startScript } from "../helpers/process.js";

let page: Started;
beforeAll(async () => {
  page = await startScript("examples/widget-page/server.mjs", { ENABLE3_BASE_URL: inject("prismUrl"), ENABLE3_API_KEY: TEST_KEY });
});

describe("widget-page example", () => {
  it("serves a page embedding the URL the API returned, without the key", async () => {
    const { url } = await createEnable3Client({ apiKey: TEST_KEY, baseUrl: inject("prismUrl") }).getWidgetUrl("player-42");
    const response = await fetch(page.url);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain(`<iframe src="${url}"`);
    expect(html).not.toContain(TEST_KEY);
  });

  it("answers 502 with a readable page when the API refuses", async () => {
    const response = await fetch(`${page.url}/?user=..`);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain("Rewards are unavailable right now (Enable3ValidationError)");
  });
});
