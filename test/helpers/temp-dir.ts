// A temporary directory removed when the test (or, made in a hook, the file) that made it ends.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { registerTeardown } from "./teardown.js";

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
  registerTeardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
