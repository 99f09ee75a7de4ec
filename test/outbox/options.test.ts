// The outbox's factories and methods hold their options to the client's rule: a key that is not an
// option is refused (Enable3ValidationError, "did you mean"), every documented one is taken.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createEnable3Client } from "../../src/index.js";
import { openTelemetry } from "../../src/opentelemetry.js";
import {
  createOutbox,
  type FileStoreOptions,
  fileStore,
  type OutboxOptions,
  type OutboxPostgresStoreOptions,
  postgresStore,
} from "../../src/outbox.js";
import { TEST_KEY } from "../helpers/client.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { expectUnknownOption, failureOf } from "../helpers/unknown-option.js";

// nothing is sent: every outbox here is made with deliver: false
const client = () => createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://127.0.0.1:9", telemetry: false });

/** An open outbox on a fresh fileStore, closed when the test ends. */
async function openOutbox(options: Partial<OutboxOptions> = {}) {
  const outbox = createOutbox(client(), { store: fileStore(await makeTempDir("outbox-options")), deliver: false, ...options });
  registerTeardown(() => outbox.close({ timeoutMs: 0 }));
  await outbox.open();
  return outbox;
}

describe("createOutbox options", () => {
  it("refuses a key that is not an option, naming the nearest", async () => {
    const store = fileStore(await makeTempDir("outbox-options"));
    await expectUnknownOption(() => createOutbox(client(), { store, concurency: 4 } as never), "options.concurency", "concurrency");
    await expectUnknownOption(() => createOutbox(client(), { store, onDeliverd: () => {} } as never), "options.onDeliverd", "onDelivered");
  });

  it("takes every documented option, the deprecated deadLetter among them", async () => {
    const every = {
      store: fileStore(await makeTempDir("outbox-options")),
      concurrency: 2,
      deliver: false,
      initialDelayMs: 10,
      maxDelayMs: 100,
      retryForMs: 1000,
      maxPending: 10,
      takeDead: () => {},
      deadLetter: () => {},
      deadRetentionMs: Number.POSITIVE_INFINITY,
      telemetry: openTelemetry(),
      onDelivered: () => {},
      onRetry: () => {},
      onDead: () => {},
      onError: () => {},
    } satisfies Required<OutboxOptions>;
    const outbox = createOutbox(client(), every);
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    await outbox.open();
    expect(outbox.stats().state).toBe("open");
    await openOutbox({ deadLetter: () => {} }); // the old name alone, as code written before takeDead passes it
  });
});

describe("the outbox's methods' options", () => {
  it("enqueue refuses a key that is not an option, and takes context (tx is judged on its own)", async () => {
    const outbox = await openOutbox();
    const event = { userId: "u1", eventId: "deposit", value: 50 };
    await expectUnknownOption(() => outbox.enqueue(event, { contxt: {} } as never), "options.contxt", "context");
    await expectUnknownOption(() => outbox.enqueueRevenue({ revenue: 1 }, { txn: {} } as never), "options.txn", "tx");
    await expect(outbox.enqueue(event, { context: { order: 7 } })).resolves.toHaveProperty("id");
    const tx = await failureOf(() => outbox.enqueue(event, { tx: {} as never }));
    expect(tx).toMatchObject({ field: "options.tx", message: expect.stringContaining("postgresStore only") });
    expect(outbox.stats().pending).toBe(1);
  });

  it("flush and close refuse a key that is not an option, and take theirs", async () => {
    const outbox = await openOutbox();
    await expectUnknownOption(() => outbox.flush({ timeout: 5 } as never), "options.timeout", "timeoutMs");
    await expectUnknownOption(() => outbox.close({ timeout: 5 } as never), "options.timeout", "timeoutMs");
    expect(outbox.stats().state).toBe("open"); // the refused close closed nothing
    await outbox.flush({ timeoutMs: 1000, signal: new AbortController().signal });
    await outbox.close({ timeoutMs: 0 });
    expect(outbox.stats().state).toBe("closed");
  });
});

describe("fileStore options", () => {
  it("refuses a key that is not an option, and takes every documented one", async () => {
    const dir = await makeTempDir("outbox-options");
    await expectUnknownOption(() => fileStore(dir, { segmentByte: 4096 } as never), "options.segmentByte", "segmentBytes");
    const every = { segmentBytes: 4096, maxRetrying: 8, syncIntervalMs: 50 } satisfies Required<FileStoreOptions>;
    expect(fileStore(dir, every).description).toBe(`fileStore(${dir})`);
  });
});

describe("the outbox's postgresStore options", () => {
  it("refuses a key that is not an option, and takes every documented one", async () => {
    const pool = new pg.Pool({ max: 1 }); // never connects: nothing here queries
    registerTeardown(() => pool.end());
    await expectUnknownOption(() => postgresStore(pool, { leaseMS: 1000 } as never), "options.leaseMS", "leaseMs");
    const every = {
      schema: "enable3",
      leaseMs: 1000,
      batchSize: 10,
      pollIntervalMs: 50,
      statsIntervalMs: 100,
    } satisfies Required<OutboxPostgresStoreOptions>;
    expect(postgresStore(pool, every).description).toBe("postgresStore(enable3)");
  });
});
