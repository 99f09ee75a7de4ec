// The withdrawal receiver's OpenTelemetry metrics, with the real SDK: deliveries counted by outcome
// and status, their duration recorded, and neither the transactionId, the secret nor the body in them.
import { expect, it } from "vitest";
import { createWithdrawalReceiver, formatCallbackDate, memoryStore, signCallback } from "../../src/callback.js";
import { openTelemetry } from "../../src/opentelemetry.js";
import { testTelemetry } from "../helpers/opentelemetry.js";

/** Today: a callback dated further back than retentionMs (30 days) is refused. */
const CREATED_AT = formatCallbackDate(new Date());

const SECRET = "metrics-secret-9f2a";
const body = (transactionId: string) =>
  `{"userId":"player-42","amount":100.00,"tokenAmount":10000,"tokenRate":0.01,"transactionId":"${transactionId}","createdAt":"${CREATED_AT}"}`;
const deliver = (text: string, signature = signCallback(text, SECRET)) =>
  new Request("http://operator.example/cb", { method: "POST", body: text, headers: { "x-request-signature": signature } });

it("counts deliveries by outcome and status, and records how long each took to answer", async () => {
  const telemetry = testTelemetry();
  const receiver = createWithdrawalReceiver({
    secrets: [SECRET],
    store: memoryStore(),
    logger: null,
    telemetry: openTelemetry({ api: telemetry.api }),
    onWithdrawal() {},
  });
  expect((await receiver.fetch(deliver(body("tx-secret-1")))).status).toBe(200);
  expect((await receiver.fetch(deliver(body("tx-secret-1")))).status).toBe(200); // a duplicate
  expect((await receiver.fetch(deliver(body("tx-secret-2"), signCallback("other", SECRET)))).status).toBe(401);
  const points = await telemetry.points("enable3.callback.deliveries");
  const counted = points.map((p) => [
    p.attributes["enable3.outcome"],
    p.attributes["enable3.reason"],
    p.attributes["http.response.status_code"],
    p.value,
  ]);
  expect(counted.sort()).toEqual([
    ["duplicate", "already-processed", 200, 1],
    ["processed", undefined, 200, 1],
    ["refused", "signature-mismatch", 401, 1],
  ]);
  const durations = await telemetry.points("enable3.callback.duration");
  expect(durations.reduce((n, p) => n + (p.value as { count: number }).count, 0)).toBe(3);
  const exported = await telemetry.exported();
  for (const secret of [SECRET, "tx-secret-1", "player-42"]) expect(exported).not.toContain(secret);
});

it("a telemetry option that is not openTelemetry() is refused at creation", () => {
  expect(() => createWithdrawalReceiver({ secrets: [SECRET], store: memoryStore(), onWithdrawal() {}, telemetry: {} as never })).toThrow(
    /telemetry must be openTelemetry\(\)/,
  );
});
