#!/usr/bin/env node
// Enable3's withdrawal callbacks in Express 5. The route comes before any app.use(express.json()):
// the receiver must read the raw bytes the signature covers (express.raw() on the route works too).
//
//   npm run build && ENABLE3_CALLBACK_SECRET=… node examples/callback-server/express.mjs
import express from "express";
import { announce, port } from "./environment.mjs";
import { receiver } from "./receiver.mjs";

const app = express();
app.post("/enable3/callback", receiver.node);
app.use(express.json()); // the rest of your API, after the callback route

const server = app.listen(port, "127.0.0.1", () => announce(server.address().port));
process.once("SIGTERM", () => server.close());
