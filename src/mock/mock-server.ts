// Starts Prism on the bundled spec: the local mock API behind `npm start`, the contract tests and
// `enable3 mock`. Prism is a development tool, so it is used when installed and never a dependency.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What `startMockServer` throws when Prism is not installed: the one line that says how to get it. */
export const PRISM_INSTALL_HINT = "Prism is not installed: run `npm install --save-dev @stoplight/prism-cli@5.14.2`";

/** The merged spec shipped with the package (../../openapi from both src/node and dist/node). */
export const BUNDLED_SPEC = fileURLToPath(new URL("../../openapi/enable3.openapi.json", import.meta.url));

/** Options of {@link startMockServer}. */
export interface MockServerOptions {
  /** Default: a free port. */
  port?: number | undefined;
  /** Default 127.0.0.1: the mock is for this machine only. */
  host?: string | undefined;
  /** Default: the bundled spec. */
  spec?: string | undefined;
  /** How long to wait for Prism to listen. Default 60000 ms. */
  startTimeoutMs?: number | undefined;
}

/** A running Prism mock. */
export interface MockServer {
  /** Base URL to hand to `createEnable3Client({ baseUrl })`. */
  url: string;
  /** Prism's process id. */
  pid: number;
  /** Stops Prism and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts Prism's mock with `--errors`, so a request that breaks the spec is answered with an error.
 * @example
 * const mock = await startMockServer();
 * const enable3 = createEnable3Client({ apiKey: "any", baseUrl: mock.url });
 * await mock.stop();
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort(host));
  const prism = prismBin();
  const child = spawn(process.execPath, [prism, "mock", options.spec ?? BUNDLED_SPEC, "-h", host, "-p", String(port), "--errors"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`Prism did not start within ${options.startTimeoutMs ?? 60_000} ms`)),
      options.startTimeoutMs ?? 60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Prism is listening")) done();
    };
    const onExit = (code: number | null) => fail(new Error(`Prism exited (code ${code}) before listening:\n${output.slice(-2000)}`));
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
