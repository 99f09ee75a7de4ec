// Withdrawal callbacks: the published vector, round trips, and every way a callback can be bad.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkSignature } from "../../src/callback/signature.js";
import {
  Enable3CallbackError,
  formatCallbackDate,
  parseCallbackDate,
  parseWithdrawalCallback,
  signCallback,
  verifyCallbackSignature,
} from "../../src/callback.js";
import { Enable3Error, Enable3ValidationError } from "../../src/index.js";

const SECRET = "cb-secret-7f3e19";
const PAYLOAD = {
  userId: "player-42",
  optionId: "",
  purchaseProductId: "prod-1",
  amount: 25.5,
  tokenAmount: 2550,
  tokenRate: 0.01,
  transactionId: "tx-1001",
  createdAt: "2026-11-23T10:15:30.123456",
};
const body = JSON.stringify(PAYLOAD);

/** The algorithm spelled out with node:crypto, as an independent reference. */
const reference = (raw: string | Buffer, secret: string) =>
  createHmac("sha512", Buffer.from(secret, "utf8")).update(createHash("md5").update(raw).digest("hex")).digest("base64");

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Enable3CallbackError);
    expect(e).toBeInstanceOf(Enable3Error);
    return (e as Enable3CallbackError).reason;
  }
  return undefined;
}

describe("signature", () => {
  it("matches the published test vector", () => {
    const signature = "Sji3ztm3P5bsWGgiR8jZ2fJmJ7BDmDJ/HI6AXXcyy2m7mozCeF+ceKN3c7Ha0E/0NI2ALy2Sq/jXsn4JJZbtow==";
    expect(signCallback("your_request_body", "your_secret_key")).toBe(signature);
    expect(verifyCallbackSignature("your_request_body", signature, "your_secret_key")).toBe(true);
  });

  it("agrees with node:crypto on unicode and random bodies, as string or bytes", () => {
    const bodies = [body, '{"userId":"Zoë 🎰","note":"ünïcødé \\u0000"}', "", randomBytes(333).toString("base64")];
    for (const raw of bodies) {
      const signature = signCallback(raw, "sécret 🔑");
      expect(signature).toBe(reference(raw, "sécret 🔑"));
      expect(signature).toHaveLength(88);
      expect(verifyCallbackSignature(new TextEncoder().encode(raw), signature, "sécret 🔑")).toBe(true);
    }
    const bytes = randomBytes(512);
    expect(signCallback(bytes, SECRET)).toBe(reference(bytes, SECRET));
  });

  it("takes the body as text, bytes, a Buffer or an ArrayBuffer (await request.arrayBuffer())", async () => {
    const signature = signCallback(body, SECRET);
    const arrayBuffer = await new Response(body).arrayBuffer();
    for (const raw of [body, new TextEncoder().encode(body), Buffer.from(body), arrayBuffer]) {
      expect(verifyCallbackSignature(raw, signature, SECRET)).toBe(true);
      expect(parseWithdrawalCallback(raw, signature, SECRET).transactionId).toBe("tx-1001");
    }
  });

  it("rejects a tampered body, another secret, and a malformed signature", () => {
    const signature = signCallback(body, SECRET);
    expect(verifyCallbackSignature(body.replace("25.5", "2550"), signature, SECRET)).toBe(false);
    expect(verifyCallbackSignature(body, signature, "other-secret")).toBe(false);
    expect(verifyCallbackSignature(body, signature.slice(0, 80), SECRET)).toBe(false);
    expect(verifyCallbackSignature(body, "not base64 at all", SECRET)).toBe(false);
    expect(verifyCallbackSignature(body, [signature], SECRET)).toBe(true);
    expect(verifyCallbackSignature(body, ` ${signature} `, SECRET)).toBe(true);
  });

  it("throws typed errors for a missing signature and unusable inputs", () => {
    expect(reasonOf(() => verifyCallbackSignature(body, undefined, SECRET))).toBe("missing-signature");
    expect(reasonOf(() => verifyCallbackSignature(body, "", SECRET))).toBe("missing-signature");
    expect(reasonOf(() => verifyCallbackSignature(body, ["a", "b"], SECRET))).toBe("malformed-signature");
    expect(reasonOf(() => verifyCallbackSignature(body, "x", ""))).toBe("invalid-secret");
    expect(reasonOf(() => verifyCallbackSignature(PAYLOAD as never, "x", SECRET))).toBe("invalid-body");
  });
});

describe("parseWithdrawalCallback", () => {
  it("returns the typed payload with createdAt parsed", () => {
    const callback = parseWithdrawalCallback(body, signCallback(body, SECRET), SECRET);
    expect(callback).toEqual({
      ...PAYLOAD,
      ...{ amount: "25.5", tokenAmount: "2550", tokenRate: "0.01", amountNumber: 25.5, tokenAmountNumber: 2550, tokenRateNumber: 0.01 },
      createdAtDate: new Date(Date.UTC(2026, 10, 23, 10, 15, 30, 123)),
    });
  });

  it("accepts the older date format, null optional fields, and unknown extra fields", () => {
    const raw = JSON.stringify({ ...PAYLOAD, optionId: null, createdAt: "2024-02-22 10:00:00", extra: 1 });
    const callback = parseWithdrawalCallback(raw, signCallback(raw, SECRET), SECRET);
    expect(callback.createdAtDate).toEqual(new Date(Date.UTC(2024, 1, 22, 10)));
    expect(callback).not.toHaveProperty("optionId");
    expect(callback).toHaveProperty("extra", 1);
  });

  const signed = (value: unknown) => {
    const raw = typeof value === "string" ? value : JSON.stringify(value);
    return () => parseWithdrawalCallback(raw, signCallback(raw, SECRET), SECRET);
  };

  it.each([
    ["missing signature", () => parseWithdrawalCallback(body, undefined, SECRET), "missing-signature"],
    ["malformed signature", () => parseWithdrawalCallback(body, "abc", SECRET), "malformed-signature"],
    ["wrong secret", () => parseWithdrawalCallback(body, signCallback(body, "other"), SECRET), "signature-mismatch"],
    [
      "tampered body",
      () => parseWithdrawalCallback(body.replace("player-42", "player-43"), signCallback(body, SECRET), SECRET),
      "signature-mismatch",
    ],
    ["body not JSON", signed("amount=25.5"), "invalid-json"],
    ["JSON array", signed([PAYLOAD]), "invalid-payload"],
    ["missing transactionId", signed({ ...PAYLOAD, transactionId: undefined }), "invalid-payload"],
    ["amount as a string", signed({ ...PAYLOAD, amount: "25.5" }), "invalid-payload"],
    ["tokenRate null", signed({ ...PAYLOAD, tokenRate: null }), "invalid-payload"],
    ["optionId a number", signed({ ...PAYLOAD, optionId: 7 }), "invalid-payload"],
    ["unparseable createdAt", signed({ ...PAYLOAD, createdAt: "yesterday" }), "invalid-payload"],
    ["impossible createdAt", signed({ ...PAYLOAD, createdAt: "2026-02-31 10:00:00" }), "invalid-payload"],
  ])("%s", (_name, run, reason) => {
    expect(reasonOf(run)).toBe(reason);
  });

  it("never puts the secret in an error", () => {
    for (const run of [
      () => parseWithdrawalCallback(body, signCallback(body, "x"), SECRET),
      () => parseWithdrawalCallback("{", signCallback("{", SECRET), SECRET),
    ]) {
      try {
        run();
      } catch (e) {
        expect(`${String(e)} ${JSON.stringify(e)} ${(e as Error).stack}`).not.toContain(SECRET);
      }
    }
  });
});

describe("parseCallbackDate", () => {
  it("reads both documented formats as UTC", () => {
    expect(parseCallbackDate("2024-02-22T10:00:00.000001")).toEqual(new Date(Date.UTC(2024, 1, 22, 10)));
    expect(parseCallbackDate("2024-02-22 10:00:00")).toEqual(new Date(Date.UTC(2024, 1, 22, 10)));
    expect(parseCallbackDate("2024-13-01 10:00:00")).toBeUndefined();
  });

  it("reads a trailing zone too, undocumented as it is: Z and offsets", () => {
    expect(parseCallbackDate("2024-02-22T10:00:00Z")).toEqual(new Date(Date.UTC(2024, 1, 22, 10)));
    expect(parseCallbackDate("2024-02-22T12:30:00.5+02:30")).toEqual(new Date(Date.UTC(2024, 1, 22, 10, 0, 0, 500)));
    expect(parseCallbackDate("2024-02-22 05:00:00-05:00")).toEqual(new Date(Date.UTC(2024, 1, 22, 10)));
    expect(parseCallbackDate("2024-02-22T10:00:00+0200")).toBeUndefined();
    expect(parseCallbackDate("2024-02-31T10:00:00Z")).toBeUndefined();
  });
});

describe("callback dates and bodies that used to be misread", () => {
  it("refuses seconds and minutes past 59 instead of rolling them over", () => {
    expect(parseCallbackDate("2024-02-22 10:00:60")).toBeUndefined();
    expect(parseCallbackDate("2024-02-22 10:00:99")).toBeUndefined();
    expect(parseCallbackDate("2024-02-22 10:60:00")).toBeUndefined();
    expect(parseCallbackDate("2024-02-22 24:00:00")).toBeUndefined();
    expect(parseCallbackDate("2024-02-22 23:59:59")?.toISOString()).toBe("2024-02-22T23:59:59.000Z");
  });

  it("reads year 0024 as 24, not 1924", () => {
    expect(parseCallbackDate("0024-01-02 03:04:05")?.getUTCFullYear()).toBe(24);
  });

  it("gives the same answer for a body with a BOM as text and as bytes", () => {
    const withBom = `\uFEFF${body}`;
    const signature = signCallback(withBom, SECRET);
    const fromText = parseWithdrawalCallback(withBom, signature, SECRET);
    const fromBytes = parseWithdrawalCallback(new TextEncoder().encode(withBom), signature, SECRET);
    expect(fromText).toEqual(fromBytes);
    expect(fromText.transactionId).toBe(JSON.parse(body).transactionId);
  });
});

describe("checks that come before any hashing", () => {
  /** Bytes that throw when anything reads them: hashing them would throw, so not throwing proves no hash ran. */
  const untouchable = () =>
    new Proxy(new Uint8Array(64 * 1024 * 1024), {
      get(target, key) {
        if (key === Symbol.toStringTag) return Reflect.get(target, key);
        throw new Error(`the body was read (${String(key)}) before the signature's shape was checked`);
      },
    });

  it("a malformed signature is refused without reading (let alone hashing) the body", () => {
    expect(checkSignature(untouchable(), "not-a-signature", [SECRET])).toBe("malformed-signature");
    expect(verifyCallbackSignature(untouchable(), "x".repeat(88), SECRET)).toBe(false);
    expect(() => checkSignature(untouchable(), signCallback(body, SECRET), [SECRET])).toThrow(/the body was read/);
  });

  it("a whitespace-only transactionId or userId is refused; one with a NUL cannot be stored and is refused too", () => {
    for (const bad of [{ transactionId: "   " }, { transactionId: "\t\n" }, { userId: " " }, { transactionId: "tx\u0000" }]) {
      const raw = JSON.stringify({ ...PAYLOAD, ...bad });
      expect(reasonOf(() => parseWithdrawalCallback(raw, signCallback(raw, SECRET), SECRET))).toBe("invalid-payload");
    }
  });
});

describe("formatCallbackDate", () => {
  it("writes Enable3's yyyy-MM-dd'T'HH:mm:ss.SSSSSS in UTC, which parseCallbackDate reads back", () => {
    const date = new Date(Date.UTC(2026, 10, 23, 10, 15, 30, 123));
    expect(formatCallbackDate(date)).toBe("2026-11-23T10:15:30.123000");
    expect(parseCallbackDate(formatCallbackDate(date))).toEqual(date);
    expect(formatCallbackDate(new Date("0024-01-02T03:04:05Z"))).toBe("0024-01-02T03:04:05.000000");
  });

  it("refuses an invalid Date and years the format cannot hold", () => {
    expect(() => formatCallbackDate(new Date("nope"))).toThrow(Enable3ValidationError);
    expect(() => formatCallbackDate(new Date("+010000-01-01T00:00:00Z"))).toThrow(/0000 to 9999, got 10000/);
  });
});
