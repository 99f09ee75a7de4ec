// createOpsHandler: the operations page and its JSON, for fetch-style servers and node:http, like the
// withdrawal receiver. GET reads; POST (replay, purge) writes only when allowed, from the same origin,
// with the page's token (csrf.ts). Authentication stays the operator's: mount it behind their own.
import { readRequestBody } from "../callback/raw-body.js";
import type { NodeResponse } from "../callback/receiver.js";
import { Enable3ValidationError } from "../errors/validation.js";
import { optionKeys } from "../internal/option-keys.js";
import * as check from "../internal/validate.js";
import { createCsrf } from "./csrf.js";
import { type OpsOutbox, type OpsReceiver, readFigures } from "./figures.js";
import {
  fromFetch,
  fromNode,
  JSON_HEADERS,
  json,
  type OpsAnswer,
  type OpsNodeRequest,
  type OpsRequest,
  wantsJson,
  writeNode,
} from "./http.js";
import { renderPage } from "./page.js";
import { runWrite } from "./writes.js";

/** Options of {@link createOpsHandler}. */
export interface OpsHandlerOptions {
  /** The outbox to show (and, with `allowWrites`, replay and purge): `createOutbox(…)`'s. */
  outbox?: OpsOutbox | undefined;
  /** The withdrawal receiver whose deliveries to show: `createWithdrawalReceiver(…)`'s. */
  receiver?: OpsReceiver | undefined;
  /**
   * Answer POSTs (replay, purge) from the page's own origin carrying its token; otherwise every POST
   * is answered 403. The page never authenticates anyone: mount it behind your own sign-in. @default false
   */
  allowWrites?: boolean | undefined;
}

const OPS_OPTION_KEYS = optionKeys<OpsHandlerOptions>()(["outbox", "receiver", "allowWrites"]);

/** The operations page: see {@link createOpsHandler}. */
export interface OpsHandler {
  /** Answers one request as a fetch handler (Hono's `c.req.raw`, Next.js, Bun.serve, Deno.serve). Never rejects. */
  fetch(request: Request): Promise<Response>;
  /** Answers one request on node:http (Express's req/res). Resolves once answered; never rejects. */
  node(req: OpsNodeRequest, res: NodeResponse): Promise<void>;
}

/** A form or JSON body of a write: small. */
const BODY_LIMITS = { maxBytes: 64 * 1024, timeoutMs: 10_000 };

/**
 * An operations page for an outbox and a withdrawal receiver. `GET` in a browser: one self-contained
 * HTML page (no script, no external resource, a strict Content-Security-Policy) with the figures, the
 * last hour as a chart and the dead records with their reasons. `GET` with `Accept: application/json`
 * or `?format=json`: the same figures as JSON. `POST` (replay, purge): 403 unless `allowWrites`, and
 * then only from the same origin with the page's token. It has no sign-in of its own: mount it behind yours.
 * @example
 * import { createOpsHandler } from "enable3-client/ops";
 * const ops = createOpsHandler({ outbox, receiver, allowWrites: true });
 * app.use("/ops", requireAdmin, (req, res) => ops.node(req, res)); // Express, behind your own check
 */
export function createOpsHandler(options: OpsHandlerOptions = {}): OpsHandler {
  const o = check.plainObject(options, "options") as OpsHandlerOptions;
  check.checkKnownKeys(o, OPS_OPTION_KEYS, "options");
  const { outbox, receiver } = o;
  if (outbox !== undefined && (typeof outbox !== "object" || typeof outbox?.stats !== "function"))
    throw new Enable3ValidationError("options.outbox", "must be an outbox: createOutbox(…)");
  if (receiver !== undefined && (typeof receiver !== "object" || typeof receiver?.stats !== "function"))
    throw new Enable3ValidationError("options.receiver", "must be a withdrawal receiver: createWithdrawalReceiver(…)");
  if (o.allowWrites !== undefined && typeof o.allowWrites !== "boolean")
    throw new Enable3ValidationError("options.allowWrites", "must be true or false");
  const writes = o.allowWrites === true;
  const csrf = createCsrf();

  async function answer(request: OpsRequest): Promise<OpsAnswer> {
    if (request.method === "GET" || request.method === "HEAD") {
      const figures = await readFigures(outbox, receiver, writes);
      const token = writes ? csrf.token() : undefined;
      if (wantsJson(request)) return json(200, token === undefined ? figures : { ...figures, csrfToken: token });
      const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
      const notice = noticeOf(request.url.searchParams);
      return {
        status: 200,
        headers: { ...PAGE_HEADERS, "content-security-policy": pagePolicy(nonce), "content-type": "text/html; charset=utf-8" },
        body: renderPage(figures, { nonce, token, notice }),
      };
    }
    if (request.method === "POST") {
      if (!writes) return json(403, { error: "read-only", message: "this operations page is read-only (allowWrites is off)" });
      return runWrite(request, { outbox, csrf });
    }
    return {
      ...json(405, { error: "method-not-allowed", message: "GET the page, POST a write" }),
      headers: { ...JSON_HEADERS, allow: "GET, HEAD, POST" },
    };
  }

  const failed = (error: unknown): OpsAnswer =>
    json(500, { error: "unexpected", message: `the operations page failed: ${error instanceof Error ? error.message : String(error)}` });

  return {
    async fetch(request) {
      const a = await answer(fromFetch(request, () => readRequestBody(request, BODY_LIMITS))).catch(failed);
      return new Response(request.method === "HEAD" ? null : a.body, { status: a.status, headers: a.headers });
    },
    async node(req, res) {
      const a = await answer(fromNode(req, BODY_LIMITS)).catch(failed);
      writeNode(res, a, req.method === "HEAD");
    },
  };
}

const PAGE_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

/** The notice after a write: fixed text, only the count taken from the query. */
function noticeOf(query: URLSearchParams): string | undefined {
  const done = query.get("done");
  const n = query.get("n");
  const count = n !== null && /^\d{1,9}$/.test(n) ? `${n} ` : "";
  if (done === "replayed") return `Replayed ${count}dead record${n === "1" ? "" : "s"}: queued again under the same ids.`;
  if (done === "purged") return `Purged ${count}dead record${n === "1" ? "" : "s"}.`;
  return undefined;
}

/** Nothing but the page's own nonce'd sheet, inline SVG, and forms posting back to itself. */
function pagePolicy(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
}
