#!/usr/bin/env node
// Enable3's withdrawal callbacks on plain node:http. The receiver reads the raw body itself (capped,
// with a timeout for stalled uploads), verifies, de-duplicates on transactionId and pays once.
//
//   npm run build && ENABLE3_CALLBACK_SECRET=… node examples/callback-server/server.mjs   (PORT: default 3001)
import { createServer } from "node:http";
import { announce, port } from "./environment.mjs";
import { receiver } from "./receiver.mjs";

const server = createServer((req, res) => {
  if (req.url === "/enable3/callback") return receiver.node(req, res);
  res.writeHead(404).end();
});
server.listen(port, "127.0.0.1", () => announce(server.address().port));
process.once("SIGTERM", () => server.close());
process.once("SIGINT", () => server.close());
