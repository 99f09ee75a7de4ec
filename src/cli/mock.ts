// `enable3 mock`: the bundled spec served by Prism on this machine, so a developer integrates without a key.
import { type MockServer, PRISM_INSTALL_HINT, startMockServer } from "../mock.js";
import { noMorePositionals, number, parse } from "./args.js";
import { createOutput, EXIT } from "./output.js";

export const mockUsage = "enable3 mock [--port N] [--host 127.0.0.1]";

export const mockHelp = `Starts Prism on the OpenAPI spec bundled with this package and prints the base URL to use.
Requests that break the spec are answered with an error; "Prefer: code=404" asks for an error answer.
Prism is a development tool: install it with npm install --save-dev @stoplight/prism-cli@5.14.2.

Options:
  --port N         listen on port N (default: a free one)
  --host ADDRESS   listen on this address (default 127.0.0.1: this machine only)
  --json           print {"baseUrl", "pid"}

Example:
  enable3 mock --port 4010 &
  ENABLE3_BASE_URL=http://127.0.0.1:4010 ENABLE3_API_KEY=any enable3 balance player-42`;

export async function runMock(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { port: { type: "string" }, host: { type: "string" } });
  noMorePositionals(positionals, 0);
  const out = createOutput(values.json);
  let mock: MockServer;
  try {
    mock = await startMockServer({ port: number(values.port, "port"), host: values.host });
  } catch (error) {
    if ((error as Error).message === PRISM_INSTALL_HINT) {
      process.stderr.write(`${PRISM_INSTALL_HINT}\n`);
      return EXIT.failure;
    }
    throw error;
  }
  out.result(
    { baseUrl: mock.url, pid: mock.pid },
    `Mock Enable3 API on ${mock.url}  (Ctrl-C to stop)\n  export ENABLE3_BASE_URL=${mock.url} ENABLE3_API_KEY=any-key`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await mock.stop();
  return EXIT.ok;
}
