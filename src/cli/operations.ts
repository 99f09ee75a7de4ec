// One subcommand per API operation.
import { number, pairs, parse, positional, noMorePositionals, required, UsageError } from "./args.js";
import { clientFrom } from "./config.js";
import { createOutput, EXIT } from "./output.js";

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

function command(summary: string, usage: string, run: (args: string[]) => Promise<number>): Command {
  return { summary, usage, run };
}

export const operationCommands: Record<string, Command> = {
  "widget-url": command(
    "Print a user's widget URL (valid one day)",
    "enable3 widget-url <userId> [--referral-code CODE] [--param key=value]...",
    async (args) => {
      const { values, positionals } = parse(args, { "referral-code": { type: "string" }, param: { type: "string", multiple: true } });
      const userId = positional(positionals, 0, "userId");
      noMorePositionals(positionals, 1);
      const widget = await clientFrom(values).getWidgetUrl(userId, { referralCode: values["referral-code"], params: pairs(values.param, "param") });
      createOutput(values.json).result(widget, `${widget.url}\n(expires ${widget.expiresAt.toISOString()})`);
      return EXIT.ok;
    },
  ),
  token: command("Print a user's JWT for the mobile SDK", "enable3 token <userId>", async (args) => {
    const { values, positionals } = parse(args, {});
    const userId = positional(positionals, 0, "userId");
    noMorePositionals(positionals, 1);
    const token = await clientFrom(values).getUserToken(userId);
    createOutput(values.json).result(token, token.expiresAt ? `${token.token}\n(expires ${token.expiresAt.toISOString()})` : token.token);
    return EXIT.ok;
  }),
  balance: command("Print a user's token balance", "enable3 balance <userId>", async (args) => {
    const { values, positionals } = parse(args, {});
    const userId = positional(positionals, 0, "userId");
    noMorePositionals(positionals, 1);
    const balance = await clientFrom(values).getUserBalance(userId);
    createOutput(values.json).result(balance, `${balance.balance}${balance.userExists ? "" : " (no such user yet)"}`);
    return EXIT.ok;
  }),
  event: command(
    "Send one event",
    "enable3 event --user <userId> --event <eventId> --value <number> [--tag TAG]... [--id ID] [--created-at 'yyyy-MM-dd HH:mm:ss']",
    async (args) => {
      const { values, positionals } = parse(args, {
        user: { type: "string" }, event: { type: "string" }, value: { type: "string" }, tag: { type: "string", multiple: true },
        id: { type: "string" }, "created-at": { type: "string" },
      });
      noMorePositionals(positionals, 0);
      const result = await clientFrom(values).sendEvent({
        userId: required(values.user, "user"), eventId: required(values.event, "event"),
        value: required(number(values.value, "value"), "value"), eventTags: values.tag, id: values.id, createdAt: values["created-at"],
      });
      createOutput(values.json).result(result, `sent event ${result.id}`);
      return EXIT.ok;
    },
  ),
  revenue: command(
    "Report revenue in USDT",
    "enable3 revenue --revenue <number> [--request-id ID] [--date 'yyyy-MM-dd HH:mm:ss']",
    async (args) => {
      const { values, positionals } = parse(args, { revenue: { type: "string" }, "request-id": { type: "string" }, date: { type: "string" } });
      noMorePositionals(positionals, 0);
      const result = await clientFrom(values).sendRevenue({
        revenue: required(number(values.revenue, "revenue"), "revenue"), requestId: values["request-id"], date: values.date,
      });
      createOutput(values.json).result(result, `sent revenue ${result.requestId}`);
      return EXIT.ok;
    },
  ),
  segments: command(
    "Add users to segments, or remove them",
    "enable3 segments add|remove --user <userId> --segment <segmentId> [--segment …]",
    async (args) => {
      const { values, positionals } = parse(args, { user: { type: "string" }, segment: { type: "string", multiple: true } });
      const action = positional(positionals, 0, "add|remove");
      if (action !== "add" && action !== "remove") throw new UsageError(`segments takes add or remove, got "${action}"`);
      noMorePositionals(positionals, 1);
      const body = [{ userId: required(values.user, "user"), segmentIds: required(values.segment, "segment") }];
      const client = clientFrom(values);
      await (action === "add" ? client.assignSegments(body) : client.removeSegments(body));
      createOutput(values.json).result({ ok: true }, `${action === "add" ? "added" : "removed"} ${body[0]!.userId}: ${body[0]!.segmentIds.join(", ")}`);
      return EXIT.ok;
    },
  ),
  websites: command("Register websites for the operator", "enable3 websites add <url>...", async (args) => {
    const { values, positionals } = parse(args, {});
    if (positional(positionals, 0, "add") !== "add") throw new UsageError(`websites takes add, got "${positionals[0]}"`);
    const urls = positionals.slice(1);
    if (urls.length === 0) throw new UsageError("missing <url>");
    await clientFrom(values).addWebsites(urls);
    createOutput(values.json).result({ ok: true }, `added ${urls.join(", ")}`);
    return EXIT.ok;
  }),
};
