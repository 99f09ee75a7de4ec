// The tools' input schemas follow the spec they are built from: a field added to a body or a
// parameter, or a description changed, changes the tool; a spec that lost a field the SDK defaults
// is refused at start-up rather than served wrong.
import { describe, expect, it } from "vitest";
import { inputSchema, loadSpec, type Spec } from "../../src/cli/mcp/spec-schemas.js";
import { buildTools } from "../../src/cli/mcp/tools.js";

const copy = (): Spec => structuredClone(loadSpec());
const propertiesOf = (schema: Record<string, unknown>) => schema.properties as Record<string, Record<string, unknown>>;

describe("enable3 mcp input schemas", () => {
  it("a field added to a body, and a parameter's new description, show in the tools", () => {
    const spec = copy();
    const event = spec.components!.schemas!.AppEventDto as { properties: Record<string, unknown>; required: string[] };
    event.properties.currency = { type: "string", description: "ISO 4217 code" };
    event.required.push("currency");
    const balance = spec.paths["/api/v1/integration/user/{operatorUserId}/balance"]!.get!;
    balance.parameters![0]!.description = "The player's id in your system";
    const tools = Object.fromEntries(buildTools(spec).map((t) => [t.name, t]));
    expect(propertiesOf(tools.enable3_send_event!.inputSchema).currency).toEqual({ type: "string", description: "ISO 4217 code" });
    expect(tools.enable3_send_event!.inputSchema.required).toContain("currency");
    expect(propertiesOf(tools.enable3_get_user_balance!.inputSchema).operatorUserId!.description).toBe("The player's id in your system");
  });

  it("every $ref is resolved, the spec's x- annotations are left out, and an array body gets its name", () => {
    const schema = inputSchema(loadSpec(), "assignSegments", { bodyName: "assignments" });
    const text = JSON.stringify(schema);
    expect(text).not.toContain("$ref");
    expect(text).not.toContain("x-enable3");
    expect(propertiesOf(schema).assignments).toMatchObject({
      type: "array",
      minItems: 1,
      items: { type: "object", required: ["userId", "segmentIds"] },
    });
    expect(() => inputSchema(loadSpec(), "assignSegments")).toThrow(/not an object: give it a name/);
  });

  it("a spec without a field the SDK defaults, or without an operation, is refused at start-up", () => {
    const spec = copy();
    delete (spec.components!.schemas!.RevenueDto as { properties: Record<string, unknown> }).properties.requestId;
    expect(() => buildTools(spec)).toThrow(/sendRevenue has no field requestId/);
    const noOperation = copy();
    delete noOperation.paths["/api/v1/revenue"];
    expect(() => buildTools(noOperation)).toThrow(/no operation sendRevenue/);
  });
});
