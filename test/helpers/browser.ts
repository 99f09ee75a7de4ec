// A real Chromium for the browser tests (chromium.mjs says which), closed when the test (or the file)
// that launched it ends.
import { type Browser, chromium } from "playwright-core";
import { chooseChromium } from "./chromium.mjs";
import { registerTeardown } from "./teardown.js";

export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = await chooseChromium();
  const browser = await chromium.launch({ executablePath, args, headless: true });
  registerTeardown(() => browser.close());
  return browser;
}
