#!/usr/bin/env node
// A page that embeds the Enable3 widget for the signed-in user. The widget URL is fetched here, on
// the server, so the API key never reaches the browser; and the user is the one the session proves,
// never one the browser names: a widget URL holds that user's token, so handing out another user's URL
// would let anyone act as them. Replace `sessionUserOf` with your own sign-in.
//
//   npm run build && node examples/widget-page/server.mjs        # against the bundled mock API
//   ENABLE3_BASE_URL=https://integration.enable3.io ENABLE3_API_KEY=… SESSION_SECRET=… node examples/widget-page/server.mjs
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createEnable3Client } from "enable3-client";
import { createWidgetCache, escapeHtml, widgetIframeHtml } from "enable3-client/widget";

/** The demo's accounts; a real app has its own users and sign-in. */
const DEMO_USERS = { "player-42": "let-me-in" };

/** A session cookie: the user id and an HMAC of it under the server's secret, so it cannot be forged. */
export function createSessions(secret) {
  const sign = (userId) => createHmac("sha256", secret).update(userId).digest("base64url");
  return {
    cookieFor: (userId) => `session=${encodeURIComponent(userId)}.${sign(userId)}; Path=/; HttpOnly; SameSite=Lax`,
    /** The signed-in user, or undefined for a missing, forged or malformed cookie. */
    userOf(req) {
      const cookie = /(?:^|;\s*)session=([^;]*)/.exec(req.headers.cookie ?? "")?.[1];
      const dot = cookie?.lastIndexOf(".") ?? -1;
      if (!cookie || dot < 1) return undefined;
      const userId = decodeURIComponent(cookie.slice(0, dot));
      const given = Buffer.from(cookie.slice(dot + 1));
      const expected = Buffer.from(sign(userId));
      return given.length === expected.length && timingSafeEqual(given, expected) ? userId : undefined;
    },
  };
}

/** `widgets` is the client, or better a widget cache around it: one API call per user per day. */
export function createWidgetPageServer(widgets, { sessions = createSessions(randomBytes(32)), users = DEMO_USERS } = {}) {
  return createServer(async (req, res) => {
    const { pathname } = new URL(req.url, "http://localhost");
    if (pathname === "/login" && req.method === "POST") return signIn(req, res, sessions, users);
    if (pathname === "/login" && req.method === "GET") return html(res, 200, loginForm(""));
    if (pathname !== "/" || req.method !== "GET") return res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    const userId = sessions.userOf(req);
    if (userId === undefined) return res.writeHead(303, { location: "/login" }).end();
    try {
      const { url } = await widgets.getWidgetUrl(userId);
      html(res, 200, `<h1>Your rewards</h1>${widgetIframeHtml(url, { height: 720 })}`);
    } catch (error) {
      console.error(`widget URL failed: ${error.name}: ${error.message}`);
      html(res, 502, `<p>Rewards are unavailable right now (${escapeHtml(error.name)}).</p>`);
    }
  });
}

async function signIn(req, res, sessions, users) {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 4096) return res.writeHead(413).end();
  }
  const form = new URLSearchParams(body);
  const userId = form.get("user") ?? "";
  const password = Buffer.from(form.get("password") ?? "");
  const known = Object.hasOwn(users, userId) ? Buffer.from(users[userId]) : undefined;
  if (!known || known.length !== password.length || !timingSafeEqual(known, password))
    return html(res, 401, loginForm("Wrong user or password."));
  res.writeHead(303, { location: "/", "set-cookie": sessions.cookieFor(userId) }).end();
}

const loginForm = (problem) => `<h1>Sign in</h1>${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ""}
<form method="post" action="/login"><label>User <input name="user"></label>
<label>Password <input name="password" type="password"></label><button>Sign in</button></form>`;

function html(res, status, content) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Rewards</title></head><body>${content}</body></html>`);
}

async function main() {
  const { startMockServer } = await import("enable3-client/mock");
  const mock = process.env.ENABLE3_BASE_URL ? undefined : await startMockServer();
  const enable3 = createEnable3Client({
    apiKey: process.env.ENABLE3_API_KEY ?? "mock-key",
    baseUrl: process.env.ENABLE3_BASE_URL ?? mock.url,
  });
  // a fixed secret keeps sessions across restarts; without one, each start signs with a new random one
  const sessions = createSessions(process.env.SESSION_SECRET ?? randomBytes(32));
  const server = createWidgetPageServer(createWidgetCache(enable3), { sessions });
  server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
    console.log(`Widget page on http://127.0.0.1:${server.address().port}/${mock ? ` (mock API at ${mock.url})` : ""}`);
    console.log(`Sign in as ${Object.keys(DEMO_USERS)[0]} / ${Object.values(DEMO_USERS)[0]}`);
  });
  const stop = async () => {
    server.close();
    server.closeAllConnections();
    await mock?.stop();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
