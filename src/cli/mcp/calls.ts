// One tool call, start to end: refused when it is a write without --allow-writes, arguments the
// tool does not take named, the id of a write chosen before it is sent, the SDK's validation error
// turned into a tool error that names the argument, each write told on stderr as an audit line, and
// no secret (API key, callback secret, proxy password) left in anything returned or written.
import { randomUUID } from "node:crypto";
import { Enable3Error, Enable3ValidationError } from "../../index.js";
import type { Tool, ToolContext } from "./tools.js";

/** What a tools/call answers, as MCP defines it. */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  isError?: boolean;
}

export interface CallOptions {
  allowWrites: boolean;
  /** Writes a line to stderr: an audit line, or a failure the operator must hear of. */
  audit(line: string): void;
  /** Every secret this process holds, removed from whatever it returns or writes. */
  secrets: readonly string[];
}

export async function callTool(
  tools: readonly Tool[],
  name: string,
  rawArgs: Record<string, unknown> | undefined,
  context: ToolContext,
  options: CallOptions,
): Promise<ToolResult> {
  const tool = tools.find((t) => t.name === name);
  const scrub = (text: string) => withoutSecrets(text, options.secrets);
  if (!tool) return failure(scrub, { code: "unknown_tool", message: `there is no tool ${name}` });
  if (tool.write && !options.allowWrites) {
    return failure(scrub, {
      code: "writes_not_allowed",
      message: `${name} changes data at Enable3 and this server is read-only: the operator starts it with --allow-writes to allow writes`,
    });
  }
  const args = rawArgs ?? {};
  const known = Object.keys((tool.inputSchema.properties as object | undefined) ?? {});
  const unknown = Object.keys(args).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    const takes = known.length ? `it takes ${known.join(", ")}` : "it takes no arguments";
    return failure(scrub, { code: "validation_failed", field: unknown, message: `${unknown} is not an argument of ${name}: ${takes}` });
  }
  const prepared = tool.prepare?.(args);
  const auditId = prepared?.id ?? randomUUID();
  const audit = (outcome: string, extra: Record<string, unknown> = {}) => {
    if (tool.write)
      options.audit(
        scrub(
          `enable3 mcp audit: ${JSON.stringify({ at: new Date().toISOString(), tool: name, id: auditId, outcome, ...extra, arguments: prepared?.args ?? args })}`,
        ),
      );
  };
  try {
    const data = await tool.run(prepared?.args ?? args, context);
    audit("ok");
    const result = tool.write && !prepared ? { ...(data as object), auditId } : data;
    return { content: [{ type: "text", text: scrub(JSON.stringify(result, null, 2)) }] };
  } catch (error) {
    if (error instanceof Enable3ValidationError) {
      const field = argumentOf(error.field, tool.fieldRoot);
      audit("refused", { field });
      return failure(scrub, { code: "validation_failed", field, message: `${field} ${error.problem}` });
    }
    const described =
      error instanceof Enable3Error
        ? error.toJSON()
        : { name: (error as Error)?.name, message: String((error as Error)?.message ?? error) };
    audit("failed", { error: described.message });
    // a failure after the request may have reached Enable3: the retry must carry the same id
    // (an outbox that refused an enqueue stored and sent nothing)
    const resend =
      prepared && error instanceof Enable3Error && error.code !== "outbox_failed"
        ? {
            [prepared.idField]: prepared.id,
            retry: `it may have been recorded: to retry without counting it twice, call ${name} again with ${prepared.idField} "${prepared.id}"`,
          }
        : {};
    return failure(scrub, { ...described, ...resend });
  }
}

/** `event.value` as the tool's argument `value`; `assignments[0].userId` stays as it is. */
function argumentOf(field: string, root: string | undefined): string {
  return root !== undefined && field.startsWith(`${root}.`) ? field.slice(root.length + 1) : field;
}

function failure(scrub: (text: string) => string, error: Record<string, unknown>): ToolResult {
  return { isError: true, content: [{ type: "text", text: scrub(JSON.stringify({ error }, null, 2)) }] };
}

/** The text with every secret (and its URL-encoded form) replaced by `[redacted]`. */
function withoutSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]))
      out = out.split(form).join("[redacted]");
  }
  return out;
}

/** The secrets of this process: the API key, the callback secret, and the password of any proxy URL in the environment. */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  const secrets = [env.ENABLE3_API_KEY, env.ENABLE3_CALLBACK_SECRET];
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]) {
    try {
      const url = env[name] ? new URL(env[name]!) : undefined;
      if (url?.password) secrets.push(url.password, decodeURIComponent(url.password));
    } catch {
      // not a URL: the SDK refuses it with its own message
    }
  }
  // a secret of one or two characters would redact half the output: such a key is refused by the API anyway
  return [...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 4))];
}
