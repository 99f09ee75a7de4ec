// `enable3 mock`: the bundled spec served by Prism on this machine, so a developer integrates without a
// key; with --proxy, Prism's validating proxy in front of the real API instead.
import { type MockServer, PRISM_INSTALL_HINT, startMockServer } from "../mock.js";
import { noMorePositionals, parse, UsageError, wholeNumber } from "./args.js";
import { createOutput, EXIT } from "./output.js";

export const mockUsage = "enable3 mock [--port N] [--host 127.0.0.1] [--proxy https://integration.enable3.io]";

export const mockHelp = `Starts Prism on the OpenAPI spec bundled with this package and prints the base URL to use.
Requests that break the spec are answered with an error; "Prefer: code=404" asks for an error answer.
With --proxy URL every request goes on to the real API, and Prism reports any request or answer that
differs from the spec (run it on a server whose IP is allow-listed, with your real key).
Prism is a development tool: install it with npm install --save-dev @stoplight/prism-cli@5.14.2.
Prism stops with this command, however it ends (Ctrl-C, SIGTERM, SIGHUP, even kill -9).

Options:
  --port N         listen on port N (default: a free one)
  --host ADDRESS   listen on this address (default 127.0.0.1: this machine only)
  --proxy URL      forward to this API instead of mocking it, validating both ways
  --json           print {"baseUrl", "pid"}

Examples:
  enable3 mock --port 4010 &
  ENABLE3_BASE_URL=http://127.0.0.1:4010 ENABLE3_API_KEY=any enable3 balance player-42
  enable3 mock --port 4010 --proxy https://integration.enable3.io`;

export async function runMock(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { port: { type: "string" }, host: { type: "string" }, proxy: { type: "string" } });
  noMorePositionals(positionals, 0);
  if (values.proxy !== undefined && !/^https?:\/\/[^\s]+$/.test(values.proxy))
    throw new UsageError("--proxy must be the http(s) URL of the API");
  const out = createOutput(values.json);
  let mock: MockServer;
  try {
    mock = await startMockServer({ port: wholeNumber(values.port, "port", 0, 65_535), host: values.host, proxy: values.proxy });
  } catch (error) {
    if ((error as Error).message === PRISM_INSTALL_HINT) {
      process.stderr.write(`${PRISM_INSTALL_HINT}\n`);
      return EXIT.failure;
    }
    throw error;
  }
  // listening before the URL is printed: whoever reads it may signal at once
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    for (const name of signals) process.once(name, resolve);
  });
  const what = values.proxy === undefined ? "Mock Enable3 API" : `Validating proxy to ${values.proxy}`;
  out.result(
    { baseUrl: mock.url, pid: mock.pid },
    `${what} on ${mock.url}  (Ctrl-C to stop)\n  export ENABLE3_BASE_URL=${mock.url}${values.proxy === undefined ? " ENABLE3_API_KEY=any-key" : ""}`,
  );
  const signal = await stopped;
  for (const name of signals) process.removeAllListeners(name);
  await mock.stop();
  return signal === "SIGHUP" ? 129 : EXIT.ok;
}
