// The widget cache and the iframe markup hold their options to the client's rule: a key that is not
// an option is refused (Enable3ValidationError, "did you mean"), every documented one is taken.
import { describe, expect, it } from "vitest";
import { createEnable3Client } from "../../src/index.js";
import { createWidgetCache, type IframeOptions, type WidgetCacheOptions, widgetIframeHtml } from "../../src/widget.js";
import { TEST_KEY } from "../helpers/client.js";
import { expectUnknownOption } from "../helpers/unknown-option.js";

const client = createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://127.0.0.1:9", telemetry: false });
const URL = "https://widget.example/u1";

describe("createWidgetCache options", () => {
  it("refuses a key that is not an option, and takes every documented one", async () => {
    await expectUnknownOption(() => createWidgetCache(client, { maxEntry: 10 } as never), "options.maxEntry", "maxEntries");
    await expectUnknownOption(() => createWidgetCache(client, { refreshMargin: 10 } as never), "options.refreshMargin", "refreshMarginMs");
    const every = { maxEntries: 10, refreshMarginMs: 1000 } satisfies Required<WidgetCacheOptions>;
    expect(typeof createWidgetCache(client, every).getWidgetUrl).toBe("function");
  });
});

describe("widgetIframeHtml options", () => {
  it("refuses a key that is not an option, and takes every documented one", async () => {
    await expectUnknownOption(() => widgetIframeHtml(URL, { classname: "w" } as never), "options.classname", "className");
    await expectUnknownOption(() => widgetIframeHtml(URL, { hieght: 700 } as never), "options.hieght", "height");
    const every = {
      title: "Rewards",
      width: 320,
      height: 700,
      className: "w",
      id: "rewards",
      allow: "clipboard-write",
      referrerPolicy: "no-referrer",
      loading: "eager",
    } satisfies Required<IframeOptions>;
    expect(widgetIframeHtml(URL, every)).toContain('class="w" id="rewards"');
  });
});
