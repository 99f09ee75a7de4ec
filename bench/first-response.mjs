// Time from this process's start to its first response, for one client: node bench/first-response.mjs
// <raw-fetch|sdk-fetch|sdk-node> <baseUrl>. Prints milliseconds. Run fresh each time by run.mjs.
const [kind, baseUrl] = process.argv.slice(2);
const path = "/api/v1/integration/user/player-42/balance";
if (kind === "raw-fetch") await (await fetch(`${baseUrl}${path}`, { headers: { "X-API-KEY": "bench-key" } })).json();
else {
  const entry = kind === "sdk-node" ? "../dist/index.node.js" : "../dist/index.js";
  const { createEnable3Client } = await import(entry);
  await createEnable3Client({ apiKey: "bench-key", baseUrl }).getUserBalance("player-42");
}
process.stdout.write(String(performance.now()));
process.exit(0);
