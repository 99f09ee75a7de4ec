// Withdrawal money keeps its digits: amount, tokenAmount and tokenRate reach the handler as the exact
// decimal text of the signed bytes (a double beside each), and a negative one is refused before any handler.
import { describe, expect, it } from "vitest";
import { createWithdrawalReceiver, formatCallbackDate, memoryStore, parseWithdrawalCallback, signCallback } from "../../src/callback.js";

const SECRET = "money-secret-40d2";
const bodyWith = (money: string) =>
  `{"userId":"player-42",${money},"transactionId":"tx-money","createdAt":"${formatCallbackDate(new Date())}"}`;
const parse = (raw: string) => parseWithdrawalCallback(raw, signCallback(raw, SECRET), SECRET);

describe("money from a withdrawal callback", () => {
  it("keeps every digit: 1234567.123456789123, an 18-digit token amount, a 21-digit rate, 100.00 as written", () => {
    const callback = parse(bodyWith('"amount":1234567.123456789123,"tokenAmount":123456789012345678,"tokenRate":0.000000123456789012345'));
    expect(callback.amount).toBe("1234567.123456789123");
    expect(callback.tokenAmount).toBe("123456789012345678");
    expect(callback.tokenRate).toBe("0.000000123456789012345");
    // the doubles beside them, for arithmetic that can afford to round
    expect(callback.amountNumber).toBe(Number("1234567.123456789123"));
    expect(callback.tokenAmountNumber).toBe(Number("123456789012345678"));
    expect(callback.tokenRateNumber).toBe(Number("0.000000123456789012345"));
    expect(parse(bodyWith('"amount":100.00,"tokenAmount":10000,"tokenRate":0.01')).amount).toBe("100.00");
  });

  it("numbers elsewhere in the body stay numbers (unknown extra fields as JSON.parse reads them)", () => {
    const callback = parse(bodyWith('"amount":1,"tokenAmount":2,"tokenRate":0.5,"extra":{"n":12.5,"list":[1,2]}'));
    expect(callback).toHaveProperty("extra", { n: 12.5, list: [1, 2] });
  });

  it.each([
    ["amount -5", '"amount":-5,"tokenAmount":500,"tokenRate":0.01'],
    ["tokenAmount -1", '"amount":5,"tokenAmount":-1,"tokenRate":0.01'],
    ["tokenRate -0.01", '"amount":5,"tokenAmount":500,"tokenRate":-0.01'],
    ["amount a string", '"amount":"5","tokenAmount":500,"tokenRate":0.01'],
    ["amount past a double (1e400)", '"amount":1e400,"tokenAmount":500,"tokenRate":0.01'],
  ])("refuses %s as invalid-payload", (_name, money) => {
    expect(() => parse(bodyWith(money))).toThrow(expect.objectContaining({ reason: "invalid-payload" }));
  });

  it("accepts a zero amount (a product redemption may carry no stablecoin) and keeps its text", () => {
    expect(parse(bodyWith('"amount":0.00,"tokenAmount":0,"tokenRate":0.01')).amount).toBe("0.00");
  });

  it("the receiver answers -5 with 400 invalid-payload and never calls the handler; 1234567.123456789123 reaches it exactly", async () => {
    const paid: unknown[] = [];
    const receiver = createWithdrawalReceiver({
      secrets: [SECRET],
      store: memoryStore(),
      logger: null,
      onWithdrawal: (withdrawal) => void paid.push(withdrawal.amount),
    });
    const deliver = (raw: string) =>
      receiver.fetch(
        new Request("http://127.0.0.1/cb", { method: "POST", body: raw, headers: { "x-request-signature": signCallback(raw, SECRET) } }),
      );
    const negative = await deliver(bodyWith('"amount":-5,"tokenAmount":500,"tokenRate":0.01'));
    expect(negative.status).toBe(400);
    expect(await negative.json()).toMatchObject({ error: "invalid-payload", message: expect.stringMatching(/amount .*negative/) });
    expect(paid).toEqual([]);
    expect((await deliver(bodyWith('"amount":1234567.123456789123,"tokenAmount":1,"tokenRate":1'))).status).toBe(200);
    expect(paid).toEqual(["1234567.123456789123"]);
  });
});
