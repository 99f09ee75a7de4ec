// The receiver's secrets are heard: a secret that cannot be right (read from a file with its newline,
// a placeholder of a few characters) is refused when the receiver is made, naming the field; a
// signature that matches none of them is written to the logger, at most once a minute with a count,
// naming the likely cause and never the secret, the signature or the body.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWithdrawalReceiver, memoryStore, signCallback } from "../../src/callback.js";
import { Enable3ValidationError } from "../../src/index.js";

const SECRET = "secrets-test-secret-8c1d";
const URL_ = "http://operator.example/enable3/callback";
const body = (transactionId: string) =>
  `{"userId":"player-7","amount":10.00,"tokenAmount":1000,"tokenRate":0.01,"transactionId":"${transactionId}","createdAt":"2026-11-23T10:00:00.000000"}`;
const signed = (raw: string, secret: string) =>
  new Request(URL_, { method: "POST", body: raw, headers: { "x-request-signature": signCallback(raw, secret) } });

afterEach(() => {
  vi.useRealTimers();
});

describe("createWithdrawalReceiver: secrets that cannot be right", () => {
  const make = (secrets: unknown[]) => () =>
    createWithdrawalReceiver({ secrets: secrets as string[], store: memoryStore(), onWithdrawal() {} });

  it.each([
    ["a trailing newline (read from a file)", `${SECRET}\n`],
    ["a leading space", ` ${SECRET}`],
    ["a tab", `${SECRET}\t`],
  ])("refuses a secret with %s, naming the field and never the value", (_name, secret) => {
    let error: unknown;
    try {
      make([SECRET, secret])();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Enable3ValidationError);
    expect((error as Enable3ValidationError).field).toBe("options.secrets[1]");
    expect((error as Error).message).toMatch(/^options\.secrets\[1\] begins or ends with a space or line break .*\(value not shown\)$/);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it.each([[" "], ["x"], ["1234567"]])("refuses %j: blank or shorter than 8 characters", (secret) => {
    expect(make([secret])).toThrow(Enable3ValidationError);
    expect(make([secret])).toThrow(/^options\.secrets\[0\] /);
    let message = "";
    try {
      make([secret])();
    } catch (error) {
      message = (error as Error).message;
    }
    if (secret.trim() !== "") expect(message).toContain("at least 8 characters");
    expect(message).not.toContain(`"${secret}"`);
  });

  it("takes a secret of 8 characters", () => {
    expect(make(["12345678"])).not.toThrow();
  });
});

describe("createWithdrawalReceiver: a signature that matches no secret is heard", () => {
  it("logs the first mismatch, then at most one line a minute with the count, naming the secret and a rotation", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-01T10:00:00Z"));
    const logger = { error: vi.fn(), warn: vi.fn() };
    const receiver = createWithdrawalReceiver({ secrets: [SECRET, "second-secret-3a9f"], store: memoryStore(), logger, onWithdrawal() {} });
    const wrong = "rotated-at-enable3-41ff";
    const sent: string[] = [];
    const deliver = async (id: string) => {
      const request = signed(body(id), wrong);
      sent.push(request.headers.get("x-request-signature")!, body(id));
      expect((await receiver.fetch(request)).status).toBe(401);
    };

    await deliver("tx-1");
    expect(logger.error).toHaveBeenCalledTimes(1);
    const first = logger.error.mock.calls[0]![0] as string;
    expect(first).toMatch(/^\[enable3\] a withdrawal callback was refused \(401 signature-mismatch\)/);
    expect(first).toMatch(/none of the 2 secrets/);
    expect(first).toMatch(/the callback secret is wrong or was rotated/);

    for (const id of ["tx-2", "tx-3", "tx-4"]) await deliver(id);
    vi.setSystemTime(new Date("2026-12-01T10:00:59Z"));
    await deliver("tx-5");
    expect(logger.error).toHaveBeenCalledTimes(1);

    vi.setSystemTime(new Date("2026-12-01T10:01:01Z"));
    await deliver("tx-6");
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error.mock.calls[1]![0]).toMatch(/5 refused since the last line/);

    // a genuine one still pays; the log holds no secret, signature or body
    expect((await receiver.fetch(signed(body("tx-7"), SECRET))).status).toBe(200);
    const lines = JSON.stringify([...logger.error.mock.calls, ...logger.warn.mock.calls]);
    for (const secret of [SECRET, "second-secret-3a9f", wrong, ...sent]) expect(lines).not.toContain(secret);
    expect(lines).not.toContain("player-7");
  });

  it("a missing or malformed signature is not a secret problem: not logged as one", async () => {
    const logger = { error: vi.fn(), warn: vi.fn() };
    const receiver = createWithdrawalReceiver({ secrets: [SECRET], store: memoryStore(), logger, onWithdrawal() {} });
    const raw = body("tx-m");
    expect((await receiver.fetch(new Request(URL_, { method: "POST", body: raw }))).status).toBe(401);
    expect((await receiver.fetch(new Request(URL_, { method: "POST", body: raw, headers: { "x-request-signature": "abc" } }))).status).toBe(
      401,
    );
    expect(logger.error).not.toHaveBeenCalled();
  });

  it("logger: null hears nothing", async () => {
    const receiver = createWithdrawalReceiver({ secrets: [SECRET], store: memoryStore(), logger: null, onWithdrawal() {} });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect((await receiver.fetch(signed(body("tx-n"), "another-secret-00"))).status).toBe(401);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
