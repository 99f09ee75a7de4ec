#!/usr/bin/env node
// Enable3's withdrawal callbacks in Hono, served on Node by @hono/node-server (on Bun, Deno or Workers
// the same app runs as is). The handler passes c.req.raw, the untouched Request: read nothing from
// c.req before it.
//
//   npm run build && ENABLE3_CALLBACK_SECRET=… node examples/callback-server/hono.mjs
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { announce, port } from "./environment.mjs";
import { receiver } from "./receiver.mjs";

export const app = new Hono();
app.post("/enable3/callback", (c) => receiver.fetch(c.req.raw));

const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, (info) => announce(info.port));
process.once("SIGTERM", () => server.close());
