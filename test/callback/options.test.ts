// The withdrawal receiver and its stores hold their options to the client's rule: a key that is not
// an option is refused (Enable3ValidationError, "did you mean"), every documented one is taken.
import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  createWithdrawalReceiver,
  memoryStore,
  postgresStore,
  type WithdrawalPostgresStoreOptions,
  type WithdrawalReceiverOptions,
} from "../../src/callback.js";
import { openTelemetry } from "../../src/opentelemetry.js";
import { registerTeardown } from "../helpers/teardown.js";
import { expectUnknownOption } from "../helpers/unknown-option.js";

const SECRET = "options-secret-9d2e";
const base = () => ({ secrets: [SECRET], store: memoryStore(), onWithdrawal: () => {} });

describe("createWithdrawalReceiver options", () => {
  it("refuses a key that is not an option, naming the nearest", async () => {
    await expectUnknownOption(() => createWithdrawalReceiver({ ...base(), secret: SECRET } as never), "options.secret", "secrets");
    await expectUnknownOption(() => createWithdrawalReceiver({ ...base(), leaseMS: 1000 } as never), "options.leaseMS", "leaseMs");
    await expectUnknownOption(
      () => createWithdrawalReceiver({ ...base(), onProcesed: () => {} } as never),
      "options.onProcesed",
      "onProcessed",
    );
  });

  it("takes every documented option", () => {
    const every = {
      ...base(),
      maxBodyBytes: 1024,
      bodyTimeoutMs: 1000,
      inFlightWaitMs: 100,
      leaseMs: 1000,
      handlerTimeoutMs: 1000,
      retentionMs: 2 * 60 * 60 * 1000,
      logger: null,
      telemetry: openTelemetry(),
      onProcessed: () => {},
      onDuplicate: () => {},
      onRefused: () => {},
      onFailed: () => {},
    } satisfies Required<WithdrawalReceiverOptions<undefined>>;
    expect(typeof createWithdrawalReceiver(every).fetch).toBe("function");
  });
});

describe("the receiver's postgresStore options", () => {
  it("refuses a key that is not an option, and takes every documented one", async () => {
    const pool = new pg.Pool({ max: 1 }); // never connects: nothing here queries
    registerTeardown(() => pool.end());
    await expectUnknownOption(() => postgresStore(pool, { schem: "enable3" } as never), "options.schem", "schema");
    await expectUnknownOption(() => postgresStore(pool, { onerror: () => {} } as never), "options.onerror", "onError");
    const every = { schema: "enable3", leaseMs: 30_000, onError: () => {} } satisfies Required<WithdrawalPostgresStoreOptions>;
    expect(typeof postgresStore(pool, every).claim).toBe("function");
  });
});

describe("both postgresStores", () => {
  it("refuse what is not a pool with the same Enable3ValidationError, and name their options options.*", async () => {
    const { postgresStore: outboxStore } = await import("../../src/outbox.js");
    for (const make of [postgresStore, outboxStore]) {
      expect(() => make({} as never)).toThrow(expect.objectContaining({ name: "Enable3ValidationError", field: "pool" }));
      expect(() => make({} as never, { schema: "Bad-Name" })).toThrow(expect.objectContaining({ field: "options.schema" }));
      expect(() => make({} as never, { leaseMs: 5 })).toThrow(expect.objectContaining({ field: "options.leaseMs" }));
    }
  });
});
