// openTelemetry() holds its options to the client's rule: a key that is not an option, `record`'s
// included, is refused (Enable3ValidationError, "did you mean"); every documented one is taken.
import * as api from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { type OpenTelemetryOptions, openTelemetry } from "../../src/opentelemetry.js";
import { expectUnknownOption } from "../helpers/unknown-option.js";

describe("openTelemetry options", () => {
  it("refuses a key that is not an option, and one in record", async () => {
    await expectUnknownOption(() => openTelemetry({ propagateContex: false } as never), "options.propagateContex", "propagateContext");
    await expectUnknownOption(() => openTelemetry({ record: { urlfull: true } } as never), "options.record.urlfull", "urlFull");
  });

  it("takes every documented option", () => {
    const every = { api, propagateContext: false, record: { urlFull: true } } satisfies Required<OpenTelemetryOptions>;
    expect(openTelemetry(every)).toHaveProperty("signal");
  });
});
