// The callback secret for `enable3 callback send|verify`: from ENABLE3_CALLBACK_SECRET or a file,
// never from an argument (every user of the machine sees arguments in ps, and shells keep them).
import { UsageError } from "./args.js";
import { firstLineOf, secretArgumentRefused } from "./secret-argument.js";

/** The options every callback subcommand takes for its secret. */
export const SECRET_OPTIONS = { "secret-file": { type: "string" }, secret: { type: "string" } } as const;

export const SECRET_HELP = `The secret comes from ENABLE3_CALLBACK_SECRET, or --secret-file FILE (its first line); never from an
argument: --secret is refused, since every user of the machine sees arguments in ps.`;

/** The secret, checked; a usage error says where to put it. */
export async function callbackSecret(values: { "secret-file"?: string | undefined; secret?: string | undefined }): Promise<string> {
  if (values.secret !== undefined) throw secretArgumentRefused("--secret", "set ENABLE3_CALLBACK_SECRET or give --secret-file FILE");
  const file = values["secret-file"];
  if (file === undefined) {
    const secret = process.env.ENABLE3_CALLBACK_SECRET;
    if (!secret) throw new UsageError("set ENABLE3_CALLBACK_SECRET or give --secret-file FILE");
    return secret;
  }
  return firstLineOf("--secret-file", file, "secret");
}
