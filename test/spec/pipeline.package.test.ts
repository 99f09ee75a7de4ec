// The spec pipeline end to end on temporary copies of openapi/fragments.
import { execFile, spawn } from "node:child_process";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import { stopChild } from "../helpers/process.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const root = path.resolve(import.meta.dirname, "../..");
const script = path.join(root, "scripts/generate.mjs");
const run = promisify(execFile);

let dir: string;
let dirs: { fragments: string; spec: string; types: string };
beforeEach(async () => {
  dir = await makeTempDir("enable3-gen");
  dirs = { fragments: path.join(dir, "fragments"), spec: path.join(dir, "spec"), types: path.join(dir, "types") };
  await cp(path.join(root, "openapi/fragments"), dirs.fragments, { recursive: true });
});

const args = (...extra: string[]) => [script, "--fragments", dirs.fragments, "--spec-dir", dirs.spec, "--types-dir", dirs.types, ...extra];
/** The command itself, as a contributor runs it: exit code and output. */
async function generateCommand(...extra: string[]) {
  return run(process.execPath, args(...extra)).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
/**
 * The same pipeline in this process (the command is a thin shell around it: write the outputs, or
 * print `error: <message>` and exit 1), so most cases skip loading it in a new Node each time.
 */
async function generate() {
  const { buildOutputs } = await import("../../scripts/lib/pipeline.mjs");
  try {
    const { outputs } = await buildOutputs({ fragmentsDir: dirs.fragments, specDir: dirs.spec, typesDir: dirs.types });
    for (const [file, content] of outputs) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    return { code: 0, stderr: "" };
  } catch (e) {
    return { code: 1, stderr: `error: ${(e as Error).message}` };
  }
}
const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8"));
// biome-ignore lint/suspicious/noExplicitAny: a fragment is whatever JSON the test edits
type Json = any;
async function editFragment(name: string, edit: (doc: Json) => void) {
  const file = path.join(dirs.fragments, name);
  const doc = await readJson(file);
  edit(doc);
  await writeFile(file, JSON.stringify(doc, null, 2));
}

describe("npm run generate", () => {
  it("reproduces the committed spec and types byte for byte", async () => {
    expect((await generate()).code).toBe(0);
    expect(await readFile(path.join(dirs.spec, "enable3.openapi.json"), "utf8")).toBe(
      await readFile(path.join(root, "openapi/enable3.openapi.json"), "utf8"),
    );
    expect(await readFile(path.join(dirs.types, "enable3.ts"), "utf8")).toBe(
      await readFile(path.join(root, "src/generated/enable3.ts"), "utf8"),
    );
  });

  it("merges into one info, one server, one global apiKey scheme, and no key parameter", async () => {
    await generate();
    const spec = await readJson(path.join(dirs.spec, "enable3.openapi.json"));
    expect(spec.info.title).toBe("Enable3 Integration API");
    expect(spec.servers).toEqual([{ url: "https://integration.enable3.io", description: "Production API server" }]);
    expect(spec.security).toEqual([{ ApiKeyAuth: [] }]);
    expect(spec.components.securitySchemes.ApiKeyAuth).toMatchObject({ type: "apiKey", in: "header", name: "X-API-KEY" });
    const params = Object.values(spec.paths).flatMap((item: Json) => Object.values(item).flatMap((op: Json) => op.parameters ?? []));
    expect(params.map((p: Json) => p.name)).not.toContain("X-API-KEY");
    expect(spec.components.schemas.WithdrawalCallbackDto.required).toContain("transactionId");
    expect(spec.components.schemas.SegmentUserDto["x-enable3-inferred"]).toBe(true);
  });

  it("an operation added to a fragment appears in the generated types", async () => {
    await editFragment("add-websites.json", (doc) => {
      doc.paths["/api/v1/integration/websites"].get = {
        operationId: "listWebsites",
        summary: "List websites",
        responses: {
          "200": { description: "OK", content: { "application/json": { schema: { $ref: "#/components/schemas/OperatorWebsitesDto" } } } },
        },
      };
    });
    expect((await generate()).code).toBe(0);
    const types = await readFile(path.join(dirs.types, "enable3.ts"), "utf8");
    expect(types).toContain('get: operations["listWebsites"]');
  });

  it("fails naming both files when two fragments define a component differently", async () => {
    await editFragment("add-websites.json", (doc) => {
      doc.components.schemas.AppEventDto = { type: "object", properties: { other: { type: "string" } } };
    });
    const result = await generate();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/components\.schemas\.AppEventDto/);
    expect(result.stderr).toContain("add-websites.json");
    expect(result.stderr).toContain("send-event.json");
  });

  it("fails naming both files on a path+method defined twice", async () => {
    await editFragment("add-websites.json", (doc) => {
      doc.paths["/api/v1/event"] = { post: { operationId: "sendEventAgain", responses: { "201": { description: "OK" } } } };
    });
    const result = await generate();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/POST \/api\/v1\/event is defined in .*add-websites\.json and .*send-event\.json/);
  });

  it("fails naming both files on a duplicate operationId", async () => {
    await editFragment("add-websites.json", (doc) => {
      doc.paths["/api/v1/integration/websites"].put = { operationId: "sendEvent", responses: { "200": { description: "OK" } } };
    });
    const result = await generate();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/operationId "sendEvent" is used in .*add-websites\.json and .*send-event\.json/);
  });

  it("puts x-enable3-examples on their schemas and refuses one for a schema nobody defines", async () => {
    await generate();
    const spec = await readJson(path.join(dirs.spec, "enable3.openapi.json"));
    expect(spec.components.schemas.UserBalanceIntegrationDto.example).toEqual({ balance: "125.50", userExists: true });
    await editFragment("examples.json", (doc) => {
      doc["x-enable3-examples"].NoSuchSchema = {};
    });
    const result = await generate();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/examples\.json gives an example for components\.schemas\.NoSuchSchema/);
  });

  it("puts x-enable3-formats on their properties, marked inferred, and refuses one for a property nobody defines", async () => {
    await generate();
    const spec = await readJson(path.join(dirs.spec, "enable3.openapi.json"));
    const createdAt = spec.components.schemas.AppEventDto.properties.createdAt;
    expect(createdAt).toMatchObject({
      type: "string",
      "x-enable3-inferred": true,
      description: expect.stringContaining("yyyy-MM-dd HH:mm:ss"),
    });
    expect(new RegExp(createdAt.pattern).test("2024-02-22 10:00:00")).toBe(true);
    expect(new RegExp(createdAt.pattern).test("2024-02-22T10:00:00Z")).toBe(false);
    await editFragment("formats.json", (doc) => {
      doc["x-enable3-formats"]["AppEventDto.noSuchField"] = { pattern: "^x$" };
    });
    const result = await generate();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/formats\.json gives a format for components\.schemas\.AppEventDto\.noSuchField/);
  });

  it("fails when the merged spec is invalid", async () => {
    await editFragment("add-websites.json", (doc) => {
      doc.paths["/api/v1/integration/websites"].post.requestBody.content["application/json"].schema = {
        $ref: "#/components/schemas/Missing",
      };
    });
    const result = await generateCommand();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/merged spec is invalid/);
  });

  it("--check passes on fresh output and names the stale file otherwise", async () => {
    expect((await generateCommand()).code).toBe(0);
    expect((await generateCommand("--check")).code).toBe(0);
    await editFragment("send-event.json", (doc) => {
      doc.paths["/api/v1/event"].post.summary = "Send an event";
    });
    const result = await generateCommand("--check");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`stale: ${path.join(dirs.spec, "enable3.openapi.json")}`);
  });

  it("--watch regenerates when a fragment changes", async () => {
    const child = spawn(process.execPath, args("--watch"), { stdio: ["ignore", "pipe", "pipe"] });
    registerTeardown(() => stopChild(child));
    {
      let output = "";
      const seen = (text: string) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (!output.includes(text)) return;
            child.stdout.off("data", onData);
            resolve();
          };
          const onData = (d: Buffer) => {
            output += d.toString();
            check();
          };
          child.stdout.on("data", onData);
          check();
        });
      await seen("generated");
      output = "";
      await editFragment("add-websites.json", (doc) => {
        doc.paths["/api/v1/integration/websites"].post.summary = "Watched change";
      });
      await seen("generated");
      expect(await readFile(path.join(dirs.spec, "enable3.openapi.json"), "utf8")).toContain("Watched change");
    }
  });
});
