// One subcommand per API operation.
import { randomUUID } from "node:crypto";
import { type Enable3Client, Enable3Error, Enable3ValidationError } from "../index.js";
import { apiDateFlag, noMorePositionals, number, type Options, pairs, parse, positional, required, UsageError } from "./args.js";
import { clientFrom } from "./config.js";
import { createOutput, EXIT, SentWithId } from "./output.js";

export interface Command {
  summary: string;
  usage: string;
  /** What `--help` shows after the usage: the command's own options and at least one example. */
  help: string;
  run(args: string[]): Promise<number>;
}

function command(summary: string, usage: string, help: string, run: (args: string[]) => Promise<number>): Command {
  return { summary, usage, help, run };
}

/** The commands that take one `<userId>`: parse, call, print what `show` makes of the result. */
function userCommand<O extends Options, R>(
  summary: string,
  usage: string,
  help: string,
  options: O,
  call: (client: Enable3Client, userId: string, values: ReturnType<typeof parse<O>>["values"]) => Promise<R>,
  show: (result: R) => string,
): Command {
  return command(summary, usage, help, async (args) => {
    const { values, positionals } = parse(args, options);
    const userId = positional(positionals, 0, "userId");
    noMorePositionals(positionals, 1);
    const result = await call(clientFrom(values), userId, values);
    // `json` is one of the COMMON_OPTIONS every parse adds; the generic O hides it from the type
    createOutput((values as { json?: boolean }).json === true).result(result, show(result));
    return EXIT.ok;
  });
}

/**
 * A send whose failure after reaching the network carries the id it went with (SentWithId): the
 * server may have stored it, so the retry must reuse that id. Bad input sent nothing: no id to give.
 */
async function sentWith<T>(sending: Promise<T>, flag: string, id: string): Promise<T> {
  try {
    return await sending;
  } catch (error) {
    if (error instanceof Enable3Error && !(error instanceof Enable3ValidationError)) throw new SentWithId(error, flag, id);
    throw error;
  }
}

const expiry = (expiresAt: Date | undefined) => (expiresAt ? `\n(expires ${expiresAt.toISOString()})` : "");

export const operationCommands: Record<string, Command> = {
  "widget-url": userCommand(
    "Print a user's widget URL (valid one day)",
    "enable3 widget-url <userId> [--referral-code CODE] [--param key=value]...",
    "Example:\n  enable3 widget-url player-42 --referral-code FRIEND10 --param section=shop",
    { "referral-code": { type: "string" }, param: { type: "string", multiple: true } },
    (client, userId, values) =>
      client.getWidgetUrl(userId, { referralCode: values["referral-code"], params: pairs(values.param, "param") }),
    (widget) => `${widget.url}${expiry(widget.expiresAt)}`,
  ),
  token: userCommand(
    "Print a user's JWT for the mobile SDK",
    "enable3 token <userId>",
    "Example:\n  enable3 token player-42",
    {},
    (client, userId) => client.getUserToken(userId),
    (token) => `${token.token}${expiry(token.expiresAt)}`,
  ),
  balance: userCommand(
    "Print a user's token balance",
    "enable3 balance <userId>",
    "Example:\n  enable3 balance player-42 --json",
    {},
    (client, userId) => client.getUserBalance(userId),
    (balance) => `${balance.balance}${balance.userExists ? "" : " (no such user yet)"}`,
  ),
  event: command(
    "Send one event",
    "enable3 event --user <userId> --event <eventId> --value <number> [--tag TAG]... [--id ID] [--created-at DATE]",
    "--id is the idempotency key (generated when absent: printed, also when the call fails, so a retry can reuse it).\n--created-at: 'yyyy-MM-dd HH:mm:ss' (UTC) or ISO 8601; default now.\n\nExample:\n  enable3 event --user player-42 --event deposit --value 50 --tag slots --created-at 2024-02-22T10:00:00Z",
    async (args) => {
      const { values, positionals } = parse(args, {
        user: { type: "string" },
        event: { type: "string" },
        value: { type: "string" },
        tag: { type: "string", multiple: true },
        id: { type: "string" },
        "created-at": { type: "string" },
      });
      noMorePositionals(positionals, 0);
      const event = {
        userId: required(values.user, "user"),
        eventId: required(values.event, "event"),
        value: required(number(values.value, "value"), "value"),
        eventTags: values.tag,
        // chosen here, not in the SDK, so a failure can still say which id to resend with
        id: values.id ?? randomUUID(),
        createdAt: apiDateFlag(values["created-at"], "created-at"),
      };
      const result = await sentWith(clientFrom(values).sendEvent(event), "--id", event.id);
      createOutput(values.json).result(result, `sent event ${result.id}`);
      return EXIT.ok;
    },
  ),
  revenue: command(
    "Report revenue in USDT",
    "enable3 revenue --revenue <number> [--request-id ID] [--date DATE]",
    "--request-id is the idempotency key (generated when absent: printed, also when the call fails, so a retry can reuse it).\n--date: 'yyyy-MM-dd HH:mm:ss' (UTC) or ISO 8601; default now. Negative revenue is allowed: --revenue -5.\n\nExample:\n  enable3 revenue --revenue 1250.5 --date '2024-02-22 10:00:00'",
    async (args) => {
      const { values, positionals } = parse(args, {
        revenue: { type: "string" },
        "request-id": { type: "string" },
        date: { type: "string" },
      });
      noMorePositionals(positionals, 0);
      const revenue = {
        revenue: required(number(values.revenue, "revenue"), "revenue"),
        requestId: values["request-id"] ?? randomUUID(),
        date: apiDateFlag(values.date, "date"),
      };
      const result = await sentWith(clientFrom(values).sendRevenue(revenue), "--request-id", revenue.requestId);
      createOutput(values.json).result(result, `sent revenue ${result.requestId}`);
      return EXIT.ok;
    },
  ),
  segments: command(
    "Add users to segments, or remove them",
    "enable3 segments add|remove --user <userId> --segment <segmentId> [--segment …]",
    "Example:\n  enable3 segments add --user player-42 --segment vip --segment whale",
    async (args) => {
      const { values, positionals } = parse(args, { user: { type: "string" }, segment: { type: "string", multiple: true } });
      const action = positional(positionals, 0, "add|remove");
      if (action !== "add" && action !== "remove") throw new UsageError(`segments takes add or remove, got "${action}"`);
      noMorePositionals(positionals, 1);
      const body = [{ userId: required(values.user, "user"), segmentIds: required(values.segment, "segment") }];
      const client = clientFrom(values);
      await (action === "add" ? client.assignSegments(body) : client.removeSegments(body));
      createOutput(values.json).result(
        { ok: true },
        `${action === "add" ? "added" : "removed"} ${body[0]!.userId}: ${body[0]!.segmentIds.join(", ")}`,
      );
      return EXIT.ok;
    },
  ),
  websites: command(
    "Register websites for the operator",
    "enable3 websites add <url>...",
    "Example:\n  enable3 websites add https://casino.example https://poker.example",
    async (args) => {
      const { values, positionals } = parse(args, {});
      if (positional(positionals, 0, "add") !== "add") throw new UsageError(`websites takes add, got "${positionals[0]}"`);
      const urls = positionals.slice(1);
      if (urls.length === 0) throw new UsageError("missing <url>");
      const result = await clientFrom(values).addWebsites(urls);
      createOutput(values.json).result(
        result,
        `added ${urls.join(", ")}${result.registeredByEarlierAttempt ? " (registered by an earlier attempt whose answer was lost)" : ""}`,
      );
      return EXIT.ok;
    },
  ),
};
