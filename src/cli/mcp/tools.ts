// The tools: one per API operation an operator's staff ask about, and the doctor. Names follow one
// scheme, `enable3_<verb>_<noun>` (the product first, to tell them apart among an assistant's other
// servers' tools, then what the tool does); each description says what the tool does to a player. Reads are always
// listed; writes only with --allow-writes. Input is checked by the SDK's own validation (the client's
// methods), never by a copy of it here.
import { randomUUID } from "node:crypto";
import type { Enable3Client, EventInput, RevenueInput, SegmentAssignments } from "../../index.js";
import type { Outbox } from "../../outbox.js";
import { inputSchema, type JsonSchema, operation, type Spec } from "./spec-schemas.js";

/** What a tool runs with: the client, the outbox when one is configured, and what it may show. */
export interface ToolContext {
  client: Enable3Client;
  outbox: Outbox | undefined;
  /** --allow-widget-urls: a widget URL or SDK token is returned (each signs the player in). */
  showSignIns: boolean;
  /** `enable3 doctor --json`'s report. */
  doctor(): Promise<unknown>;
}

export interface Tool {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  /** Changes data at Enable3: listed and run only with --allow-writes. */
  write: boolean;
  annotations: { readOnlyHint: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint: boolean };
  /** The name the SDK gives the arguments as a whole in a validation error's field (`event.userId`): dropped, so the field is the argument's. */
  fieldRoot?: string;
  /** Chooses the id a write is sent with before it is sent, so a failure can still name it. */
  prepare?(args: Record<string, unknown>): { args: Record<string, unknown>; id: string; idField: string };
  run(args: Record<string, unknown>, context: ToolContext): Promise<unknown>;
}

const userId = (args: Record<string, unknown>) => args.operatorUserId as string;
const WITHHELD = "withheld: it signs whoever opens it in as this player. Start enable3 mcp with --allow-widget-urls to have it returned";

/** The tools this spec gives: reads, then writes. */
export function buildTools(spec: Spec): Tool[] {
  const api = (operationId: string) => {
    const op = operation(spec, operationId);
    return ` (API operation ${operationId}: ${op.summary ?? operationId}.)`;
  };
  const read = { readOnlyHint: true, openWorldHint: true } as const;
  return [
    {
      name: "enable3_get_user_balance",
      title: "Get a player's token balance",
      description: `Reads a player's Enable3 token balance, by the operator's user id. Changes nothing. The balance is a decimal string; userExists is false for a player Enable3 has not seen yet (no event, no widget opened).${api("getUserBalance")}`,
      inputSchema: inputSchema(spec, "getUserBalance"),
      write: false,
      annotations: read,
      run: (args, { client }) => client.getUserBalance(userId(args)),
    },
    {
      name: "enable3_get_widget_url",
      title: "Get a player's widget link",
      description: `Makes the link that opens the loyalty widget signed in as this player, valid for one day (referralCode, if given, is applied as if the player typed it). The link signs in whoever opens it: it is returned only when the server was started with --allow-widget-urls; otherwise only its expiry.${api("getWidgetUrl")}`,
      inputSchema: inputSchema(spec, "getWidgetUrl"),
      write: false,
      annotations: read,
      run: async (args, { client, showSignIns }) => {
        const widget = await client.getWidgetUrl(userId(args), { referralCode: args.referralCode as string | undefined });
        const expiresAt = widget.expiresAt?.toISOString() ?? null;
        return showSignIns ? { url: widget.url, expiresAt } : { url: WITHHELD, urlWithheld: true, expiresAt };
      },
    },
    {
      name: "enable3_get_user_token",
      title: "Get a player's mobile SDK token",
      description: `Issues the JWT with which the mobile SDK acts as this player. The token signs in as the player: it is returned only when the server was started with --allow-widget-urls; otherwise only its expiry.${api("getUserToken")}`,
      inputSchema: inputSchema(spec, "getUserToken"),
      write: false,
      annotations: read,
      run: async (args, { client, showSignIns }) => {
        const token = await client.getUserToken(userId(args));
        const expiresAt = token.expiresAt?.toISOString() ?? null;
        return showSignIns ? { token: token.token, expiresAt } : { token: WITHHELD, tokenWithheld: true, expiresAt };
      },
    },
    {
      name: "enable3_check_connection",
      title: "Check the way to the Enable3 API",
      description:
        "Runs enable3 doctor's checks of each step from this machine to the Enable3 API (DNS, TCP, the proxy if any, TLS, the API key) and says what to fix. Touches no player: the key check reads the balance of a probe user.",
      inputSchema: { type: "object", properties: {}, additionalProperties: false },
      write: false,
      annotations: read,
      run: (_args, { doctor }) => doctor(),
    },
    ...writeTools(spec, api),
  ];
}

function writeTools(spec: Spec, api: (operationId: string) => string): Tool[] {
  const write = { readOnlyHint: false, destructiveHint: false, openWorldHint: true } as const;
  const withId = (field: string) => (args: Record<string, unknown>) => {
    const id = typeof args[field] === "string" ? (args[field] as string) : randomUUID();
    return { args: { ...args, [field]: args[field] ?? id }, id, idField: field };
  };
  const ONCE =
    "Enable3 documents no de-duplication by id: every attempt carries the same id, so to resend after a failure give the id the failure named.";
  return [
    {
      name: "enable3_send_event",
      title: "Send an event for a player",
      description: `Records an event for a player (e.g. a deposit of value 50): the player's event-based missions count it, and may pay the player tokens. Returns the id it was sent with (through the outbox when one is configured: stored durably, delivered in the background). ${ONCE}${api("sendEvent")}`,
      inputSchema: inputSchema(spec, "sendEvent", {
        defaulted: { id: "the idempotency key; a new UUID when left out, returned either way", createdAt: "default now (UTC)" },
      }),
      write: true,
      annotations: write,
      fieldRoot: "event",
      prepare: withId("id"),
      run: async (args, { client, outbox }) => {
        const event = args as unknown as EventInput;
        if (outbox) return { id: (await outbox.enqueue(event)).id, delivery: "queued in the outbox" };
        return { id: (await client.sendEvent(event)).id, delivery: "sent" };
      },
    },
    {
      name: "enable3_send_revenue",
      title: "Report revenue",
      description: `Reports revenue the operator earned, in USDT (negative allowed), for Hold to Earn: it changes what every token-holding player earns, no single player. Returns the requestId it was sent with (through the outbox when one is configured). ${ONCE}${api("sendRevenue")}`,
      inputSchema: inputSchema(spec, "sendRevenue", {
        defaulted: { requestId: "the idempotency key; a new UUID when left out, returned either way", date: "default now (UTC)" },
      }),
      write: true,
      annotations: write,
      fieldRoot: "revenue",
      prepare: withId("requestId"),
      run: async (args, { client, outbox }) => {
        const revenue = args as unknown as RevenueInput;
        if (outbox) return { requestId: (await outbox.enqueueRevenue(revenue)).requestId, delivery: "queued in the outbox" };
        return { requestId: (await client.sendRevenue(revenue)).requestId, delivery: "sent" };
      },
    },
    ...segmentTools(spec, api, write),
    {
      name: "enable3_add_websites",
      title: "Register the operator's websites",
      description: `Registers websites (http or https URLs) for the operator, where the widget runs. Touches no player. The API takes no id for this call: the result's auditId matches the audit line on stderr.${api("addWebsites")}`,
      inputSchema: inputSchema(spec, "addWebsites"),
      write: true,
      annotations: { ...write, idempotentHint: true },
      run: (args, { client }) => client.addWebsites(args.websites as string[]),
    },
  ];
}

// an assign and a remove for one player must reach Enable3 in the order given: through the outbox
// they are one record per player, ordered by the player's id, as enable3 import segments sends them
const SEGMENTS_THROUGH_OUTBOX =
  "Through the outbox when one is configured: one record per player, delivered in the order given per player (ids in the result).";

/** A segment tool's run: through the outbox when one is configured (its ids in the result), else sent now. */
function sendSegments(method: "assignSegments" | "removeSegments", resultKey: "assigned" | "removed"): Tool["run"] {
  return async (args, { client, outbox }) => {
    const assignments = args.assignments as SegmentAssignments;
    if (outbox) return { [resultKey]: assignments, ids: (await outbox[method](assignments)).ids, delivery: "queued in the outbox" };
    await client[method](assignments);
    return { [resultKey]: assignments, delivery: "sent" };
  };
}

function segmentTools(spec: Spec, api: (operationId: string) => string, write: Tool["annotations"]): Tool[] {
  return [
    {
      name: "enable3_assign_segments",
      title: "Put players into segments",
      description: `Adds each listed player to the listed segments: missions and offers aimed at those segments open to them. The API takes no id for this call: the result's auditId matches the audit line on stderr. ${SEGMENTS_THROUGH_OUTBOX}${api("assignSegments")}`,
      inputSchema: inputSchema(spec, "assignSegments", { bodyName: "assignments" }),
      write: true,
      annotations: { ...write, idempotentHint: true },
      run: sendSegments("assignSegments", "assigned"),
    },
    {
      name: "enable3_remove_segments",
      title: "Take players out of segments",
      description: `Removes each listed player from the listed segments: missions and offers aimed only at those segments close to them. The API takes no id for this call: the result's auditId matches the audit line on stderr. ${SEGMENTS_THROUGH_OUTBOX}${api("removeSegments")}`,
      inputSchema: inputSchema(spec, "removeSegments", { bodyName: "assignments" }),
      write: true,
      annotations: { ...write, destructiveHint: true, idempotentHint: true },
      run: sendSegments("removeSegments", "removed"),
    },
  ];
}
