// @ts-check
// Which Chromium the browser tests drive, never a download: CHROMIUM_PATH when set, else the build that
// `npm install` brought (@sparticuz/chromium, Linux x64), else a Chrome or Chromium installed on the
// system. Plain JS so that the vitest helper (browser.ts) and the runtime matrix (test/runtimes) share it.
import { existsSync } from "node:fs";

/** Flags for a closed network: no background connections, no first-run work. */
const QUIET_FLAGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
const HEADLESS_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu"];

/** @type {Partial<Record<NodeJS.Platform, string[]>>} */
const SYSTEM_BROWSERS = {
  linux: ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"],
  darwin: ["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", "/Applications/Chromium.app/Contents/MacOS/Chromium"],
  win32: [
    `${process.env.PROGRAMFILES ?? "C:\\Program Files"}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env["PROGRAMFILES(X86)"] ?? "C:\\Program Files (x86)"}\\Google\\Chrome\\Application\\chrome.exe`,
  ],
};

/**
 * @typedef {{ executablePath: string, args: string[], source: "CHROMIUM_PATH" | "@sparticuz/chromium" | "system" }} ChromiumChoice
 */

/**
 * The Chromium to launch and its flags, in the order CHROMIUM_PATH, packaged (Linux x64), system.
 * @returns {Promise<ChromiumChoice>}
 */
export async function chooseChromium(env = process.env, platform = process.platform, arch = process.arch) {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH points to ${env.CHROMIUM_PATH}, which does not exist`);
    return { executablePath: env.CHROMIUM_PATH, args: [...HEADLESS_FLAGS, ...QUIET_FLAGS], source: "CHROMIUM_PATH" };
  }
  if (platform === "linux" && arch === "x64") {
    // unpacks its brotli-packed build to a temp dir on first use (about 2 s), then reuses it
    const { default: packaged } = await import("@sparticuz/chromium");
    // its args are for serverless hosts: --single-process there would end the browser with its first closed context
    const args = packaged.args.filter((arg) => arg !== "--single-process");
    return { executablePath: await packaged.executablePath(), args: [...args, ...QUIET_FLAGS], source: "@sparticuz/chromium" };
  }
  const found = (SYSTEM_BROWSERS[platform] ?? []).find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`no Chromium for ${platform}-${arch}: install Chrome or Chromium, or set CHROMIUM_PATH`);
  return { executablePath: found, args: [...HEADLESS_FLAGS, ...QUIET_FLAGS], source: "system" };
}
