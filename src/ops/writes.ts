// The page's writes: replay dead records (all, or by id) and purge old dead records. Each is refused
// unless it comes from the page's own origin with its token; a form gets a redirect back to the page
// (POST-redirect-GET, with a fixed notice), a script gets JSON.
import type { createCsrf } from "./csrf.js";
import { sameOrigin } from "./csrf.js";
import type { OpsOutbox } from "./figures.js";
import { json, type OpsAnswer, type OpsRequest } from "./http.js";

interface WriteContext {
  outbox: OpsOutbox | undefined;
  csrf: ReturnType<typeof createCsrf>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function runWrite(request: OpsRequest, { outbox, csrf }: WriteContext): Promise<OpsAnswer> {
  if (!sameOrigin(request.headers, request.host))
    return json(403, { error: "cross-origin", message: "writes are accepted from the operations page's own origin only" });
  const fields = await readFields(request);
  if (fields === undefined)
    return json(400, { error: "invalid-body", message: "send a form (application/x-www-form-urlencoded) or JSON, up to 64 KiB" });
  if (!csrf.valid(first(fields.token) ?? request.headers.get("x-csrf-token") ?? undefined))
    return json(403, { error: "invalid-token", message: "the page's token is missing, stale or wrong: reload the page" });
  if (!outbox) return json(404, { error: "no-outbox", message: "this operations page has no outbox" });
  const form = (request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded");
  const action = first(fields.action);
  if (action === "replay") {
    const all = first(fields.all) === "1" || fields.all === true;
    const ids = all ? undefined : list(fields.ids ?? fields.id);
    if (ids !== undefined && (ids.length === 0 || ids.length > 10_000))
      return json(400, { error: "invalid-ids", message: "name the dead records to replay (id, up to 10000), or all" });
    const { replayed } = await outbox.replay(ids);
    return form ? back("replayed", replayed) : json(200, { action, replayed });
  }
  if (action === "purge") {
    const olderThanMs = fields.olderThanMs !== undefined ? Number(first(fields.olderThanMs)) : Number(first(fields.olderThanDays)) * DAY_MS;
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
      return json(400, { error: "invalid-age", message: "olderThanMs (or olderThanDays) must be a number, 0 or more" });
    const { purged } = await outbox.purge({ olderThanMs });
    return form ? back("purged", purged) : json(200, { action, purged });
  }
  return json(400, { error: "invalid-action", message: 'action must be "replay" or "purge"' });
}

/** POST-redirect-GET: back to the page, which shows a fixed notice for `done` (no text from the request). */
function back(done: "replayed" | "purged", count: number | undefined): OpsAnswer {
  const query = count === undefined ? `?done=${done}` : `?done=${done}&n=${count}`;
  return { status: 303, headers: { location: query, "cache-control": "no-store" }, body: "" };
}

async function readFields(request: OpsRequest): Promise<Record<string, unknown> | undefined> {
  if (request.parsed) return request.parsed;
  const read = await request.read();
  if (!read.ok) return undefined;
  const text = new TextDecoder().decode(read.bytes);
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (!type.includes("application/x-www-form-urlencoded")) return undefined;
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const had = fields[name];
    fields[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return fields;
}

const first = (value: unknown): string | undefined =>
  typeof value === "string" ? value : Array.isArray(value) && typeof value[0] === "string" ? value[0] : undefined;

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === "string" && v !== "");
