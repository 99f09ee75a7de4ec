// `enable3 mock`: the bundled spec served by Prism on this machine, so a developer integrates without a key.
import { PRISM_INSTALL_HINT, startMockServer } from "../node.js";
import { number, parse, noMorePositionals } from "./args.js";
import { createOutput, EXIT } from "./output.js";

export const mockUsage = "enable3 mock [--port N] [--host 127.0.0.1]";

export async function runMock(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { port: { type: "string" }, host: { type: "string" } });
  noMorePositionals(positionals, 0);
  const out = createOutput(values.json);
  let mock;
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
