// A script using the built package on Node exits as soon as its work is done: the keep-alive Agent's
// idle sockets never hold the process open, close() or not.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { BALANCE } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { ROOT } from "../helpers/process.js";

const exec = promisify(execFile);

it("a script that never calls close() still exits at once", async () => {
  const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE)); // keeps idle connections 5 s
  const script = `import { createEnable3Client } from ${JSON.stringify(path.join(ROOT, "dist/index.node.js"))};
    const c = createEnable3Client({ apiKey: "k", baseUrl: process.argv[1] });
    console.log((await c.getUserBalance("u1")).balance);`;
  const started = Date.now();
  const { stdout } = await exec(process.execPath, ["--input-type=module", "-e", script, server.url], { timeout: 10_000 });
  expect(stdout.trim()).toBe(BALANCE.balance);
  expect(Date.now() - started).toBeLessThan(4_000);
});
