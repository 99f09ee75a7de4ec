#!/usr/bin/env node
// A page that embeds the Enable3 widget. The widget URL is fetched here, on the server, so the API
// key never reaches the browser: the page only ever holds the URL (whose token is the user's own).
//
//   npm run build && node examples/widget-page/server.mjs        # against the bundled mock API
//   ENABLE3_BASE_URL=https://integration.enable3.io ENABLE3_API_KEY=… node examples/widget-page/server.mjs
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createEnable3Client } from "enable3-client";
import { createWidgetCache, escapeHtml, widgetIframeHtml } from "enable3-client/widget";

/** A real app takes the user from its session; this example reads `?user=` for the demo. */
const demoUserOf = (req) => new URL(req.url, "http://localhost").searchParams.get("user") ?? "player-42";

/** `widgets` is the client, or better a widget cache around it: one API call per user per day. */
export function createWidgetPageServer(widgets, { userIdOf = demoUserOf } = {}) {
  return createServer(async (req, res) => {
    if (req.method !== "GET" || new URL(req.url, "http://localhost").pathname !== "/") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    try {
      const { url } = await widgets.getWidgetUrl(userIdOf(req));
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(page(widgetIframeHtml(url, { height: 720 })));
    } catch (error) {
      console.error(`widget URL failed: ${error.name}: ${error.message}`);
      res.writeHead(502, { "content-type": "text/html; charset=utf-8" });
      res.end(page(`<p>Rewards are unavailable right now (${escapeHtml(error.name)}).</p>`));
    }
  });
}

const page = (content) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rewards</title></head>
<body><h1>Your rewards</h1>${content}</body></html>`;

async function main() {
  const { startMockServer } = await import("enable3-client/mock");
  const mock = process.env.ENABLE3_BASE_URL ? undefined : await startMockServer();
  const enable3 = createEnable3Client({
    apiKey: process.env.ENABLE3_API_KEY ?? "mock-key",
    baseUrl: process.env.ENABLE3_BASE_URL ?? mock.url,
  });
  const server = createWidgetPageServer(createWidgetCache(enable3));
  server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
    console.log(`Widget page on http://127.0.0.1:${server.address().port}/${mock ? ` (mock API at ${mock.url})` : ""}`);
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
