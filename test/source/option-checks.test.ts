// One rule for the options every component shares (internal/validate.ts): the client, the outbox and
// the withdrawal receiver refuse a telemetry that is not openTelemetry(), a hook that is not a function
// and a hook name that is none, in the same words, each naming the field as `options.*`.
import { describe, expect, it } from "vitest";
import { createWithdrawalReceiver, memoryStore } from "../../src/callback.js";
import { createEnable3Client, Enable3ValidationError } from "../../src/index.js";
import { createOutbox, type OutboxStore } from "../../src/outbox.js";
import { TEST_KEY } from "../helpers/client.js";
import { failureOf } from "../helpers/unknown-option.js";

const client = () => createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://127.0.0.1:9", telemetry: false });
// never opened: every options object below is refused before the store is touched
const store = { open: () => new Promise(() => {}), description: "unopened store" } as unknown as OutboxStore;
const receiverBase = () => ({ secrets: ["option-checks-secret"], store: memoryStore(), onWithdrawal: () => {} });

/** Each component's factory, given one extra option. */
const make = {
  client: (extra: object) => createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://127.0.0.1:9", ...extra } as never),
  outbox: (extra: object) => createOutbox(client(), { store, deliver: false, ...extra } as never),
  receiver: (extra: object) => createWithdrawalReceiver({ ...receiverBase(), ...extra } as never),
};

/** A hook of each component, and where it sits among the options. */
const hook = {
  client: { option: { hooks: { onRequest: 42 } }, field: "options.hooks.onRequest" },
  outbox: { option: { onDelivered: 42 }, field: "options.onDelivered" },
  receiver: { option: { onProcessed: 42 }, field: "options.onProcessed" },
};

async function refusal(run: () => unknown): Promise<Enable3ValidationError> {
  const error = await failureOf(run);
  expect(error).toBeInstanceOf(Enable3ValidationError);
  return error as Enable3ValidationError;
}

describe.each(["client", "outbox", "receiver"] as const)("%s options", (component) => {
  it("refuses a telemetry that is not openTelemetry(), as options.telemetry", async () => {
    const error = await refusal(() => make[component]({ telemetry: { record: true } }));
    expect(error.message).toBe('options.telemetry must be openTelemetry() from "enable3-client/opentelemetry", or false');
  });

  it("refuses a hook that is not a function, as options.*", async () => {
    const error = await refusal(() => make[component](hook[component].option));
    expect(error.message).toBe(`${hook[component].field} must be a function`);
  });

  it("refuses a hook name that is no hook", async () => {
    const extra = component === "client" ? { hooks: { onRequst: () => {} } } : { onDeliverd: () => {} };
    const error = await refusal(() => make[component](extra));
    expect(error.field).toBe(component === "client" ? "options.hooks.onRequst" : "options.onDeliverd");
  });
});

describe("the key and the secret", () => {
  it("refuse a surrounding line break in the same words, naming options.*", async () => {
    const key = await refusal(() => make.client({ apiKey: `${TEST_KEY}\n` }));
    const secret = await refusal(() => createWithdrawalReceiver({ ...receiverBase(), secrets: ["option-checks-secret\n"] }));
    expect(key.field).toBe("options.apiKey");
    expect(secret.field).toBe("options.secrets[0]");
    const rule =
      /^begins or ends with a space or line break \(a (key|secret) read from a file keeps its newline\): remove it \(value not shown\)$/;
    expect(key.problem).toMatch(rule);
    expect(secret.problem).toMatch(rule);
  });

  it("keeps every receiver option under options.*", async () => {
    expect((await refusal(() => make.receiver({ leaseMs: 1 }))).field).toBe("options.leaseMs");
    expect((await refusal(() => make.receiver({ store: {} }))).field).toBe("options.store");
    expect((await refusal(() => make.receiver({ secrets: [] }))).field).toBe("options.secrets");
  });
});
