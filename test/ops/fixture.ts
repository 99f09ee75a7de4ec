// What the operations page tests look at: a real outbox on a fileStore in front of a scripted API that
// refuses some events for good (with a reason holding markup, to prove it is escaped), a real
// withdrawal receiver that saw a few deliveries, and the page served on 127.0.0.1 through node:http.
import { createServer } from "node:http";
import { createWithdrawalReceiver, formatCallbackDate, memoryStore, signCallback } from "../../src/callback.js";
import { createOpsHandler, type OpsHandlerOptions } from "../../src/ops.js";
import { createOutbox, fileStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { listenOnLoopback } from "../helpers/listen.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

/** The API's reason for refusing `bad-…` events: markup that must reach the page as text. */
export const HOSTILE_REASON = `<img src=x onerror="window.__pwned=1">unknown eventId & "quotes"`;

/**
 * An outbox with `dead` dead records (ids bad-<b>0</b>…, refused 422 with `reason`) and `delivered`
 * delivered ones; `names` gives the dead records other ids.
 */
export async function outboxWithDead({ dead = 2, delivered = 3, reason = HOSTILE_REASON, names = [] as string[] } = {}) {
  const deadIds = Array.from({ length: dead }, (_, i) => names[i] ?? `bad-<b>${i}</b>`);
  const api = await startScriptedServer((req, res) => {
    const { id } = JSON.parse(req.body) as { id: string };
    if (deadIds.includes(id) && !accepting.has(id)) return reply(res, 422, { message: reason });
    return reply(res, 201);
  });
  const accepting = new Set<string>();
  const outbox = createOutbox(clientFor(api.url, { maxRetries: 0 }), { store: fileStore(await makeTempDir("enable3-ops")) });
  registerTeardown(() => outbox.close({ timeoutMs: 0 }));
  for (const id of deadIds) await outbox.enqueue({ id, userId: "u1", eventId: "deposit", value: 1 });
  for (let i = 0; i < delivered; i++) await outbox.enqueue({ id: `ok-${i}`, userId: "u1", eventId: "deposit", value: 1 });
  await outbox.flush();
  /** From now on the API accepts this id. */
  const accept = (id: string) => accepting.add(id);
  return { api, outbox, deadIds, accept };
}

const SECRET = "ops-page-secret-31";

/** A receiver that processed one withdrawal, saw a duplicate, and refused two deliveries. */
export async function busyReceiver() {
  const receiver = createWithdrawalReceiver({ secrets: [SECRET], store: memoryStore(), logger: null, onWithdrawal() {} });
  const body = `{"userId":"p1","amount":1.00,"tokenAmount":100,"tokenRate":0.01,"transactionId":"tx-1","createdAt":"${formatCallbackDate(new Date())}"}`;
  const post = (signature: string) =>
    receiver.fetch(new Request("http://operator.example/cb", { method: "POST", body, headers: { "x-request-signature": signature } }));
  await post(signCallback(body, SECRET));
  await post(signCallback(body, SECRET));
  await post(signCallback("something else", SECRET));
  await post("not base64!");
  return receiver;
}

/** The page served by node:http on 127.0.0.1 at /ops, and `pages` (path → HTML) beside it; anything else 404. */
export async function servePage(options: OpsHandlerOptions, pages: Record<string, () => string> = {}) {
  const ops = createOpsHandler(options);
  const server = createServer((req, res) => {
    const page = pages[req.url ?? ""];
    if (page) return reply(res, 200, page(), { "content-type": "text/html; charset=utf-8" });
    if (!req.url?.startsWith("/ops")) return reply(res, 404);
    void ops.node(req, res);
  });
  const port = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}/ops`, origin: `http://127.0.0.1:${port}`, ops };
}

/** A page holding one form that POSTs `fields` to `action` (a replay, as a forged page would). */
export function formPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}">`)
    .join("");
  return `<!doctype html><html><body><form method="post" action="${action}">${inputs}<button id="send">send</button></form></body></html>`;
}
