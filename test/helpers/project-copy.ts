// A copy of the project as a fresh clone has it: the files git knows (committed, or new and not
// ignored), no dist/, and this project's node_modules linked in. Removed when its test or file ends.
import { execFile } from "node:child_process";
import { copyFile, mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./process.js";
import { makeTempDir } from "./temp-dir.js";

export async function copyProject(prefix: string): Promise<string> {
  const copy = await makeTempDir(prefix);
  const { stdout } = await promisify(execFile)("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT });
  for (const file of stdout.split("\0").filter(Boolean)) {
    await mkdir(path.dirname(path.join(copy, file)), { recursive: true });
    await copyFile(path.join(ROOT, file), path.join(copy, file)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e; // deleted in the work tree, not yet in the index
    });
  }
  await symlink(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
  return copy;
}
