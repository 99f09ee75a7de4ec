#!/usr/bin/env node
// The `enable3` command: ops and support staff get answers without writing code.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { didYouMean, UsageError } from "./args.js";
import { type Command, operationCommands } from "./operations.js";
import { EXIT, reportError } from "./output.js";
import { packageJson } from "./package-json.js";

/**
 * A command by its one-line summary (what `enable3 --help` lists) and the module that runs it, loaded
 * only when the command runs or shows its own help: `enable3 --help` or `enable3 balance` never load
 * the MCP server, the import or the mock server.
 */
interface Entry {
  summary: string;
  load(): Promise<Omit<Command, "summary">>;
}

const loaded = (command: Command): Entry => ({ summary: command.summary, load: async () => command });
const lazy = <M>(summary: string, load: () => Promise<M>, pick: (module: M) => Omit<Command, "summary">): Entry => ({
  summary,
  load: async () => pick(await load()),
});

const commands: Record<string, Entry> = {
  ...Object.fromEntries(Object.entries(operationCommands).map(([name, command]) => [name, loaded(command)])),
  import: lazy(
    "Send events, revenue or segment changes from an NDJSON file; resumable after any stop, failures to a dead-letter file",
    () => import("./import.js"),
    (m) => ({ usage: m.importUsage, help: m.importHelp, run: m.runImport }),
  ),
  mock: lazy(
    "Serve the bundled spec with Prism on 127.0.0.1 (no key needed)",
    () => import("./mock.js"),
    (m) => ({ usage: m.mockUsage, help: m.mockHelp, run: m.runMock }),
  ),
  callback: lazy(
    "Send a signed withdrawal callback to your own endpoint, as Enable3 would, or verify a saved one",
    () => import("./callback.js"),
    (m) => ({ usage: m.callbackUsage, help: m.callbackHelp, run: m.runCallback }),
  ),
  "verify-callback": lazy(
    "Deprecated name of `callback verify`",
    () => import("./callback.js"),
    (m) => ({ usage: m.callbackUsage, help: m.callbackHelp, run: m.runVerifyCallbackAlias }),
  ),
  doctor: lazy(
    "Check the way to the API: DNS, TCP, the proxy, TLS, the API and the key, and what to fix",
    () => import("./doctor.js"),
    (m) => ({ usage: m.doctorUsage, help: m.doctorHelp, run: (args) => m.runDoctor(args) }),
  ),
  outbox: lazy(
    "See and repair an outbox's store: status, dead records, replay, purge, and a PostgreSQL doctor",
    () => import("./outbox-command.js"),
    (m) => ({ usage: m.outboxUsage, help: m.outboxHelp, run: (args) => m.runOutbox(args) }),
  ),
  mcp: lazy(
    "Serve balances, widget links, the doctor (and, if allowed, writes) as tools for an AI assistant (MCP)",
    () => import("./mcp/command.js"),
    (m) => ({ usage: m.mcpUsage, help: m.mcpHelp, run: (args) => m.runMcp(args) }),
  ),
};

const COMMON_HELP = `Options for every command:
  --base-url URL     API base URL (default $ENABLE3_BASE_URL, else https://integration.enable3.io)
  --json             machine-readable output
  --max-retries N    retries after the first attempt (default 2)
  --retry-delay-ms N first backoff delay, doubled per retry (default 500)
  --timeout-ms N     per-attempt timeout (default 30000)
  -h, --help         this help
  --version          the package version

Environment: ENABLE3_API_KEY (required for API calls; never printed), ENABLE3_BASE_URL,
ENABLE3_TRANSPORT=fetch (go through the global fetch rather than node:http).
Exit codes: 0 success, 1 API or network failure (or records that failed), 2 usage or validation error,
130/143/129 an import stopped by Ctrl-C/SIGTERM/SIGHUP.`;

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const list = Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join("\n");
  return `Usage: enable3 <command> [options]\n\nCommands:\n${list}\n\nRun enable3 <command> --help for a command's options and examples.\n\n${COMMON_HELP}\n`;
}

const version = () => packageJson().version;

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const json = argv.includes("--json");
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const entry = commands[name];
  try {
    if (!entry) throw new UsageError(`unknown command "${name}"${didYouMean(name, Object.keys(commands))}`);
    const command = await entry.load();
    if (args.includes("--help") || args.includes("-h")) {
      process.stdout.write(`Usage: ${command.usage}\n\n${entry.summary}.\n\n${command.help}\n\n${COMMON_HELP}\n`);
      return EXIT.ok;
    }
    return await command.run(args);
  } catch (error) {
    return reportError(error, json);
  }
}

/** True when this file is the program node runs (through npm's bin link too), not a module imported. */
function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (!invoked) return false;
  try {
    return pathToFileURL(realpathSync(invoked)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));
