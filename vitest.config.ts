// Projects by what a test needs (its file name says which): pure `*.test.ts` needs nothing,
// `*.loopback.test.ts` real sockets on 127.0.0.1, `*.mock.test.ts` the Prism mock and dist/,
// `*.postgres.test.ts` a real PostgreSQL server and dist/, `*.package.test.ts` dist/, the packed
// tarball, a browser or the compiler. The loopback suites a client's transport reaches run
// twice, once per transport (fetch, and Node's http). `npm run test:fast` runs pure and both loopback projects. The run fails if any process the suite started outlives it (setup/leftovers.ts).
import { configDefaults, defineConfig } from "vitest/config";
import { LongestFirst } from "./test/setup/longest-first.js";

const needsSetup = ["test/**/*.loopback.test.ts", "test/**/*.mock.test.ts", "test/**/*.postgres.test.ts", "test/**/*.package.test.ts"];
/** Loopback files whose runs do not depend on ENABLE3_TEST_TRANSPORT (helpers/client.ts): run once, on the Node project. */
const NODE_ONLY = [
  "test/cli/outbox.loopback.test.ts", // the outbox commands, on an outbox's store
  "test/cli/import-segments.loopback.test.ts", // the CLI in a process of its own (runCliFromSource)
  "test/transport/node-proxy.loopback.test.ts", // the Node transport, named in every call
  "test/callback/receiver-node.loopback.test.ts", // the receiver's node:http adapter: no client
  "test/mock/options.loopback.test.ts", // the mock server's options: no client
];
// test/runtimes has its own install, which links this package back in: never look inside it
const exclude = [...configDefaults.exclude, "test/runtimes/**"];

export default defineConfig({
  test: {
    exclude,
    globalSetup: ["test/setup/leftovers.ts"],
    setupFiles: ["test/setup/teardown.ts"],
    // a hung test still fails within a minute; 20 s was hit by working tests (a CLI started a dozen
    // times, a fleet of processes) on a loaded 2-core machine running four suites at once
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // a poll waits for work another part finishes (a settlement, a worker's status) on a machine CI
    // shares with the other suites: it asserts what happens, and 1 s (vitest's default) is not "never"
    expect: { poll: { timeout: 15_000 } },
    // most of the slow files wait on subprocesses and sockets, not on this process: overlap them
    maxWorkers: 4,
    sequence: { sequencer: LongestFirst },
    // pure and loopback files share a worker's loaded modules (isolate: false): none keeps state between
    // files, and `--sequence.shuffle` runs pass, so the fast suite skips re-importing per file
    projects: [
      { extends: true, test: { name: "pure", include: ["test/**/*.test.ts"], exclude: [...exclude, ...needsSetup], isolate: false } },
      // the outbox is Node-only (enable3-client/outbox): its suites run on the Node transport alone; so do
      // the files no transport reaches (their own CLI or server, or a client made on node:http by name),
      // which would run twice the same
      {
        extends: true,
        test: {
          name: "loopback",
          include: ["test/**/*.loopback.test.ts"],
          exclude: [...exclude, "test/outbox/**", ...NODE_ONLY],
          isolate: false,
        },
      },
      // the same loopback suites on the Node transport (helpers/client.ts picks it from the env)
      {
        extends: true,
        test: { name: "loopback-node", include: ["test/**/*.loopback.test.ts"], env: { ENABLE3_TEST_TRANSPORT: "node" }, isolate: false },
      },
      {
        extends: true,
        test: { name: "mock", include: ["test/**/*.mock.test.ts"], globalSetup: ["test/setup/build.ts", "test/setup/prism.ts"] },
      },
      {
        extends: true,
        test: { name: "postgres", include: ["test/**/*.postgres.test.ts"], globalSetup: ["test/setup/build.ts", "test/setup/postgres.ts"] },
      },
      {
        extends: true,
        test: { name: "package", include: ["test/**/*.package.test.ts"], globalSetup: ["test/setup/build.ts", "test/setup/prism.ts"] },
      },
    ],
  },
});
