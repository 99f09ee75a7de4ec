// A script using the built package on Node exits as soon as its work is done: the keep-alive Agent's
// idle sockets never hold the process open, close() or not.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { BALANCE } from "../helpers/faults.js";
import { reply } from "../helpers/http-server.js";
import { listenOnLoopback } from "../helpers/listen.js";
import { ROOT } from "../helpers/process.js";

const exec = promisify(execFile);

it("a script that never calls close() still exits at once", async () => {
  // the server keeps an idle connection 60 s: only the client can end it sooner (its own idle close, 4 s)
  const server = createServer((_req, res) => reply(res, 200, BALANCE));
  server.keepAliveTimeout = 60_000;
  const port = await listenOnLoopback(server);
  // the script times, on its own clock, the wait between its last work and its exit, so neither Node's
  // start nor a loaded machine's scheduling of this process counts: a held socket would show as 4 s or more
  const script = `import { createEnable3Client } from ${JSON.stringify(path.join(ROOT, "dist/index.node.js"))};
    const c = createEnable3Client({ apiKey: "k", baseUrl: process.argv[1] });
    console.log((await c.getUserBalance("u1")).balance);
    const done = performance.now();
    process.on("exit", () => console.log(Math.round(performance.now() - done)));`;
  const started = Date.now();
  const { stdout } = await exec(process.execPath, ["--input-type=module", "-e", script, `http://127.0.0.1:${port}`], { timeout: 45_000 });
  const [balance, exitWaitMs] = stdout.trim().split("\n");
  expect(balance).toBe(BALANCE.balance);
  expect(Number(exitWaitMs)).toBeLessThan(2_000);
  expect(Date.now() - started).toBeLessThan(30_000);
}, 60_000);
