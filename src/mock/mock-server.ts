// Starts Prism on the bundled spec: the local mock API behind `npm start`, the contract tests and
// `enable3 mock`. Prism is a development tool, so it is used when installed and never a dependency.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { optionKeys } from "../internal/option-keys.js";
import { checkKnownKeys, plainObject } from "../internal/validate.js";

/** What `startMockServer` throws when Prism is not installed: the one line that says how to get it. */
export const PRISM_INSTALL_HINT = "Prism is not installed: run `npm install --save-dev @stoplight/prism-cli@5.14.2`";

/** The merged spec shipped with the package (../../openapi from both src/node and dist/node). */
export const BUNDLED_SPEC = fileURLToPath(new URL("../../openapi/enable3.openapi.json", import.meta.url));

/** Options of {@link startMockServer}. */
export interface MockServerOptions {
  /**
   * Instead of mocking, forward every request to this upstream (the real API) and report any request or
   * response that breaks the spec: Prism's validating proxy. Default: none (a mock).
   */
  proxy?: string | undefined;
  /** Default: a free port. */
  port?: number | undefined;
  /** Default 127.0.0.1: the mock is for this machine only. */
  host?: string | undefined;
  /** Default: the bundled spec. */
  spec?: string | undefined;
  /** How long to wait for Prism to listen. Default 60000 ms. */
  startTimeoutMs?: number | undefined;
}

const MOCK_SERVER_OPTION_KEYS = optionKeys<MockServerOptions>()(["proxy", "port", "host", "spec", "startTimeoutMs"]);

/** A running Prism mock. */
export interface MockServer {
  /** Base URL to hand to `createEnable3Client({ baseUrl })`. */
  url: string;
  /** The mock's process id: signal it to stop the mock (Prism runs under it and goes with it). */
  pid: number;
  /** Stops Prism and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts Prism's mock with `--errors`, so a request that breaks the spec is answered with an error
 * (or, with `proxy`, its validating proxy to the real API). Throws a one-line reason when the port is
 * taken or Prism is not installed ({@link PRISM_INSTALL_HINT}).
 * @example
 * const mock = await startMockServer();
 * const enable3 = createEnable3Client({ apiKey: "any", baseUrl: mock.url });
 * await mock.stop();
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  checkKnownKeys(plainObject(options, "options"), MOCK_SERVER_OPTION_KEYS, "options");
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort(host));
  if (options.port !== undefined) await ensureFree(host, port);
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const prism = prismBin();
  const spec = options.spec ?? BUNDLED_SPEC;
  const mode = options.proxy === undefined ? ["mock", spec] : ["proxy", spec, options.proxy];
  // Prism runs under a guard that stops it when this process is gone, even killed with SIGKILL: the
  // guard's stdin is a pipe from here, and the kernel closes it when this process ends
  const child = spawn(process.execPath, ["-e", GUARD, prism, ...mode, "-h", host, "-p", String(port), "--errors"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Prism did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Prism is listening")) done();
    };
    const onExit = (code: number | null) => fail(new Error(`Prism exited (code ${code}) before listening: ${whyPrismStopped(output)}`));
    function done() {
      cleanup();
      resolve();
    }
    function fail(error: Error) {
      cleanup();
      child.kill();
      reject(error);
    }
    function cleanup() {
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.stderr.off("data", onData);
      child.off("exit", onExit);
    }
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", onExit);
  });
  // keep draining so Prism never blocks on a full pipe
  child.stdout.resume();
  child.stderr.resume();
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * The guard Prism runs under (node -e): it stops Prism when its own stdin ends (the parent is gone),
 * or on SIGTERM, SIGINT or SIGHUP, and exits with Prism.
 */
const GUARD = `
const { spawn } = require("node:child_process");
const [bin, ...args] = process.argv.slice(1);
const prism = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "inherit", "inherit"] });
const stop = () => {
  if (prism.exitCode !== null || prism.signalCode !== null) return;
  prism.kill("SIGTERM");
  setTimeout(() => prism.kill("SIGKILL"), 5000).unref();
};
process.stdin.on("end", stop).on("error", stop).resume();
for (const name of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(name, stop);
prism.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`;

/** The line of Prism's output that says why it stopped (it prints its whole help before an error). */
function whyPrismStopped(output: string): string {
  const lines = output
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const reason = lines.find((line) => /EADDRINUSE|EACCES|Error|error:/.test(line)) ?? lines.at(-1) ?? "no output";
  return reason.length > 300 ? `${reason.slice(0, 299)}…` : reason;
}

/** Fails with a one-line reason when something already listens on host:port. */
function ensureFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "is already in use" : `cannot be listened on (${error.code ?? error.message})`;
      reject(new Error(`port ${port} on ${host} ${why}: choose another with --port (or the port option), or stop what listens there`));
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

function prismBin(): string {
  const require = createRequire(import.meta.url);
  try {
    const pkgFile = require.resolve("@stoplight/prism-cli/package.json");
    const pkg = require(pkgFile) as { bin: string | Record<string, string> };
    const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin.prism!;
    return path.join(path.dirname(pkgFile), bin);
  } catch {
    throw new Error(PRISM_INSTALL_HINT);
  }
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
