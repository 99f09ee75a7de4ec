// startMockServer holds its options to the client's rule: a key that is not an option is refused
// (Enable3ValidationError, "did you mean") before anything starts; every documented one is taken.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { Enable3ValidationError } from "../../src/index.js";
import { type MockServerOptions, startMockServer } from "../../src/mock.js";
import { listenOnLoopback } from "../helpers/listen.js";
import { expectUnknownOption, failureOf } from "../helpers/unknown-option.js";

/** Starts a mock as told, and stops it at once should it start: here none may. */
const start = (options: MockServerOptions) => startMockServer(options).then((mock) => mock.stop());

describe("startMockServer options", () => {
  it("refuses a key that is not an option before starting anything", async () => {
    await expectUnknownOption(() => start({ prot: 4010 } as never), "options.prot", "port");
    await expectUnknownOption(() => start({ startTimeout: 10 } as never), "options.startTimeout", "startTimeoutMs");
  });

  it("takes every documented option (here, as far as the port in use it is given)", async () => {
    const port = await listenOnLoopback(createServer());
    const every = {
      proxy: "http://127.0.0.1:9",
      port,
      host: "127.0.0.1",
      spec: "spec.json",
      startTimeoutMs: 1000,
    } satisfies Required<MockServerOptions>;
    // the options passed their check: the refusal is the port's, and no Prism was started
    const error = await failureOf(() => start(every));
    expect(error).not.toBeInstanceOf(Enable3ValidationError);
    expect((error as Error).message).toBe(
      `port ${port} on 127.0.0.1 is already in use: choose another with --port (or the port option), or stop what listens there`,
    );
  });
});
