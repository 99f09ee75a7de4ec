// `node --expose-gc bench/profile-per-call.mjs [GET|POST] [calls]`: CPU profiles of sequential calls
// (server answering at once) of the SDK's Node transport, plain and with `.withResponse()`, beside raw
// node:http, grouped as bench/profile.mjs groups them: where a call's CPU beyond the floor goes.
import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { perCallClients } from "./clients.mjs";
import { formatSummary, profile, summarise } from "./profile.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const kind = process.argv[2] ?? "POST";
const calls = Number(process.argv[3] ?? 5000);
const child = fork(path.join(root, "bench/server.mjs"), { stdio: "inherit", env: { ...process.env, LATENCY_MS: "0" } });
const { port } = await new Promise((resolve) => child.once("message", resolve));
const clients = await perCallClients(`http://127.0.0.1:${port}`);
for (const name of ["raw node:http", "enable3-client, Node transport", "enable3-client, Node transport, .withResponse()"]) {
  const call = kind === "GET" ? clients[name].get : clients[name].post;
  for (let i = 0; i < 1000; i++) await call(i); // warm-up
  globalThis.gc?.();
  const result = await profile(async () => {
    for (let i = 0; i < calls; i++) await call(i);
  });
  console.log(`${formatSummary(`${kind} ${name}`, summarise(result, calls, 12))}\n`);
}
child.disconnect();
child.kill();
process.exit(0);
