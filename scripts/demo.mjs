#!/usr/bin/env node
// @ts-check
// npm start: a walkthrough of every operation. By default it starts the bundled mock API (Prism) on
// 127.0.0.1 and needs no key; --base-url points it elsewhere, with the key from ENABLE3_API_KEY.
import { parseArgs } from "node:util";
import { createEnable3Client, Enable3Error } from "../dist/index.node.js";
import { startMockServer } from "../dist/mock/mock-server.js";

const { values } = parseArgs({ options: { "base-url": { type: "string" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  console.log("Usage: npm start [-- --base-url URL]   (without --base-url: against the bundled mock API)");
  process.exit(0);
}

const mock = values["base-url"] === undefined ? await startMockServer() : undefined;
const baseUrl = mock?.url ?? values["base-url"] ?? "";
const apiKey = process.env.ENABLE3_API_KEY ?? (mock ? "demo-key" : undefined);
console.log(mock ? `Mock Enable3 API (Prism) listening on ${baseUrl}\n` : `Enable3 API at ${baseUrl}\n`);

let failures = 0;
try {
  // no key is a validation error that says how to set one
  const enable3 = createEnable3Client({ apiKey: apiKey ?? "", baseUrl });
  /** @type {[name: string, run: () => Promise<unknown>][]} */
  const steps = [
    ["sendEvent", () => enable3.sendEvent({ userId: "player-42", eventId: "deposit", value: 50, eventTags: ["first-deposit"] })],
    ["getWidgetUrl", () => enable3.getWidgetUrl("player-42", { referralCode: "FRIEND10" })],
    ["getUserToken", () => enable3.getUserToken("player-42")],
    ["sendRevenue", () => enable3.sendRevenue({ revenue: 1250.5, date: new Date() })],
    ["assignSegments", () => enable3.assignSegments([{ userId: "player-42", segmentIds: ["vip"] }])],
    ["removeSegments", () => enable3.removeSegments([{ userId: "player-42", segmentIds: ["vip"] }])],
    ["getUserBalance", () => enable3.getUserBalance("player-42")],
    ["addWebsites", () => enable3.addWebsites(["https://casino.example"])],
  ];
  for (const [name, run] of steps) {
    try {
      const result = await run();
      console.log(`✔ ${name.padEnd(15)} ${result === undefined ? "done (no body)" : JSON.stringify(result)}`);
    } catch (error) {
      failures++;
      console.log(`✘ ${name.padEnd(15)} ${error instanceof Enable3Error ? `${error.name}: ${error.message}` : error}`);
    }
  }
} catch (error) {
  failures++;
  console.error(error instanceof Enable3Error ? `${error.name}: ${error.message}` : error);
} finally {
  await mock?.stop();
}
console.log(`\n${8 - failures} of 8 operations succeeded`);
process.exitCode = failures ? 1 : 0;
