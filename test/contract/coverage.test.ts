// A spec change that adds an operation cannot go unnoticed: each operationId needs a client method.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createEnable3Client } from "../../src/index.js";
import { TEST_KEY } from "../helpers/client.js";

const spec = JSON.parse(readFileSync(new URL("../../openapi/enable3.openapi.json", import.meta.url), "utf8"));
const operationIds: string[] = Object.values(spec.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((item) =>
  Object.values(item).flatMap((op) => (op && typeof op === "object" && op.operationId ? [op.operationId] : [])),
);

describe("every operation of the merged spec has a wrapper method", () => {
  const client = createEnable3Client({ apiKey: TEST_KEY }) as unknown as Record<string, unknown>;
  it("the spec has the eight operations", () => {
    expect([...operationIds].sort()).toEqual([
      "addWebsites",
      "assignSegments",
      "getUserBalance",
      "getUserToken",
      "getWidgetUrl",
      "removeSegments",
      "sendEvent",
      "sendRevenue",
    ]);
  });
  it.each(operationIds)("%s", (operationId) => {
    expect(typeof client[operationId]).toBe("function");
  });
});
