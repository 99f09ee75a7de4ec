// `enable3 mcp`: the API's reads (and, when the operator allows, its writes) and the doctor as tools
// for an operator's AI assistant, over stdio or --http on 127.0.0.1. The MCP SDK is loaded here, on
// this command's run only. Every write is told on stderr as an audit line; with --outbox-dir events,
// revenue and segment changes go through a durable outbox on a fileStore, as `enable3 import` sends them.
import { createOutbox, fileStore, type Outbox } from "../../outbox.js";
import { noMorePositionals, parse, UsageError, wholeNumber } from "../args.js";
import { clientFrom } from "../config.js";
import { diagnose } from "../doctor.js";
import { refuseLocked } from "../outbox-lock.js";
import { EXIT, printable } from "../output.js";
import { secretsOf } from "./calls.js";
import { serveHttp } from "./http.js";
import { loadMcpSdk, type McpSdk } from "./sdk.js";
import { createToolServer } from "./server.js";
import { loadSpec } from "./spec-schemas.js";
import { buildTools, type ToolContext } from "./tools.js";

export const mcpUsage = "enable3 mcp [--allow-writes] [--allow-widget-urls] [--outbox-dir DIR] [--http [--port N]] [--base-url URL]";

export const mcpHelp = `Serves Enable3's tools to an AI assistant (Claude Desktop, VS Code, any MCP client) over stdio, or
with --http at http://127.0.0.1:PORT/mcp (this machine only). Read-only unless told otherwise.

  --allow-writes       also list and run the writes: send an event or revenue, assign or remove
                       segments, add websites (each written to stderr as an audit line)
  --allow-widget-urls  return widget URLs and SDK tokens (each signs the player in); without it
                       only their expiry is returned
  --outbox-dir DIR     send events, revenue and segment changes through a durable outbox in DIR
                       (a fileStore): stored before the tool answers, delivered in the
                       background, same id, each player's segment changes in order
  --http               streamable HTTP on 127.0.0.1 instead of stdio; --port N (default: a free one)

Needs the optional peer @modelcontextprotocol/sdk. The key comes from ENABLE3_API_KEY; nothing the
tools return holds it. See docs/mcp.md.

Example (Claude Desktop's claude_desktop_config.json; the path is where the package is installed):
  { "mcpServers": { "enable3": {
      "command": "node",
      "args": ["/path/to/your-project/node_modules/enable3-client/dist/cli/main.js", "mcp"],
      "env": { "ENABLE3_API_KEY": "…" } } } }`;

export async function runMcp(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parse(args, {
    "allow-writes": { type: "boolean", default: false },
    "allow-widget-urls": { type: "boolean", default: false },
    "outbox-dir": { type: "string" },
    http: { type: "boolean", default: false },
    port: { type: "string" },
  });
  noMorePositionals(positionals, 0);
  const port = wholeNumber(values.port, "port", 0, 65535);
  if (port !== undefined && !values.http) throw new UsageError("--port is for --http");
  const tell = (line: string) => process.stderr.write(`${printable(line)}\n`);
  const sdk = await loadMcpSdk();
  const client = clientFrom(values, env);
  const tools = buildTools(loadSpec());
  const outbox = values["outbox-dir"] === undefined ? undefined : await openOutbox(client, values["outbox-dir"], tell);
  const context: ToolContext = {
    client,
    outbox,
    showSignIns: values["allow-widget-urls"],
    doctor: async () => (await diagnose(values, env)).report,
  };
  const options = { allowWrites: values["allow-writes"], audit: tell, secrets: secretsOf(env) };
  const makeServer = () => createToolServer(sdk, tools, context, options);
  const mode = `${options.allowWrites ? "writes allowed" : "read-only"}${context.showSignIns ? ", widget URLs and tokens shown" : ""}${outbox ? `, events, revenue and segment changes through the outbox in ${values["outbox-dir"]}` : ""}`;

  try {
    await serveUntilStopped(values.http ? (port ?? 0) : undefined, sdk, makeServer, mode, tell);
  } finally {
    // also when serving failed (a port in use): the outbox's timers would keep the process alive
    if (outbox) {
      await outbox.close({ timeoutMs: 10_000 });
      const { pending } = outbox.stats();
      if (pending > 0)
        tell(
          `enable3 mcp: ${pending} not yet delivered stay in the outbox in ${values["outbox-dir"]}: they go out, same ids, on its next start`,
        );
    }
    await client.close();
  }
  return EXIT.ok;
}

/** Serves over stdio (or HTTP on `httpPort`) until a signal, or the client closing stdin. */
async function serveUntilStopped(
  httpPort: number | undefined,
  sdk: McpSdk,
  makeServer: () => ReturnType<typeof createToolServer>,
  mode: string,
  tell: (line: string) => void,
) {
  const stopped = new Promise<string>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => resolve(signal));
    if (httpPort === undefined) process.stdin.once("end", () => resolve("the client closed stdin"));
  });
  let endpoint: { close(): Promise<void> };
  if (httpPort !== undefined) {
    const http = await serveHttp(sdk, makeServer, httpPort, tell);
    endpoint = http;
    tell(`enable3 mcp: serving ${http.url} (${mode})`);
  } else {
    const server = makeServer();
    await server.connect(new sdk.StdioServerTransport());
    endpoint = server;
    tell(`enable3 mcp: serving over stdio (${mode})`);
  }
  const why = await stopped;
  tell(`enable3 mcp: stopping (${why})`);
  await endpoint.close();
}

/** The outbox on a fileStore: every failed attempt, a record given up on and the outbox's own failures told on stderr. */
async function openOutbox(client: ReturnType<typeof clientFrom>, dir: string, tell: (line: string) => void): Promise<Outbox> {
  const outbox = createOutbox(client, {
    store: fileStore(dir),
    onRetry: (info) =>
      tell(
        `enable3 mcp: outbox: ${info.operation} ${info.id} attempt ${info.attempt} failed (${info.error.message}); next try in ${Math.round(info.delayMs / 1000)} s`,
      ),
    onDead: (info) =>
      tell(`enable3 mcp: outbox: ${info.record.kind} ${info.record.id} is dead (${info.error.message}); it stays in ${dir}`),
    onError: (error) => tell(`enable3 mcp: outbox: ${error.message}`),
  });
  await outbox.open().catch(refuseLocked);
  return outbox;
}
