// workerd through Miniflare (run with Node 24, which Miniflare needs): the bundle as a Worker module,
// its fetch handler running the checks, called with dispatchFetch. Prints the results as JSON.
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";

const [bundle, configJson] = process.argv.slice(2);
const script = `${readFileSync(bundle, "utf8")}
export default { async fetch(request) { return Response.json(await runAll(await request.json())); } };`;
const mf = new Miniflare({ modules: true, script, compatibilityDate: "2025-01-01" });
try {
  const response = await mf.dispatchFetch("http://worker.local/", { method: "POST", body: configJson });
  console.log(JSON.stringify(await response.json()));
} finally {
  await mf.dispose();
}
