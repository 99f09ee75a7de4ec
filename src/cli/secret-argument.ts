// One rule for secrets on the command line: an argument is visible to every user of the machine in ps
// and stays in shell history, so a secret typed into one is refused (never echoed), and read from the
// environment or from a file (its first line) instead.
import { readFile } from "node:fs/promises";
import { UsageError } from "./args.js";

/** The refusal of a secret given as an argument: `what` is refused, `instead` says where it goes. */
export function secretArgumentRefused(what: string, instead: string): UsageError {
  return new UsageError(
    `${what} is refused: a secret in an argument is visible to every user in ps and stays in shell history; ${instead}`,
  );
}

/** The first line of `file`, given with `flag`: a usage error names the flag when it cannot be read or holds no `what`. */
export async function firstLineOf(flag: string, file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? "cannot be read"}`);
  }
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  if (line === "") throw new UsageError(`${flag} ${file} holds no ${what} on its first line`);
  return line;
}
