#!/usr/bin/env node
// An endpoint for Enable3's withdrawal callbacks: reads the raw body, verifies its signature,
// de-duplicates on transactionId (the signature does not stop a replay), then pays out once.
//
//   ENABLE3_CALLBACK_SECRET=… node examples/callback-server/server.mjs   (PORT, REQUEST_TIMEOUT_MS: default 3001, 10000)
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { Enable3CallbackError, parseWithdrawalCallback, SIGNATURE_HEADER } from "enable3-client/callback";

const MAX_BODY_BYTES = 64 * 1024;
const SIGNATURE_REASONS = new Set(["missing-signature", "malformed-signature", "signature-mismatch"]);

/**
 * @param {{ secret: string, onWithdrawal: (callback) => Promise<void> | void, seen?: Set<string> }} options
 * `seen` stands in for a unique index on transactionId in your database.
 */
export function createCallbackHandler({ secret, onWithdrawal, seen = new Set() }) {
  return async (req, res) => {
    const answer = (status, body) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.method !== "POST") return answer(405, { error: "method not allowed" });
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return answer(413, { error: "body too large" });
      chunks.push(chunk);
    }
    let callback;
    try {
      // the raw bytes, exactly as received: the signature covers them, not a re-serialised object
      callback = parseWithdrawalCallback(Buffer.concat(chunks), req.headers[SIGNATURE_HEADER], secret);
    } catch (error) {
      if (!(error instanceof Enable3CallbackError)) throw error;
      return answer(SIGNATURE_REASONS.has(error.reason) ? 401 : 400, { error: error.reason });
    }
    if (seen.has(callback.transactionId)) return answer(200, { status: "duplicate", transactionId: callback.transactionId });
    seen.add(callback.transactionId);
    try {
      await onWithdrawal(callback);
    } catch (error) {
      seen.delete(callback.transactionId); // not paid: let a redelivery try again
      console.error(`withdrawal ${callback.transactionId} failed: ${error.message}`);
      return answer(500, { error: "processing failed" });
    }
    return answer(200, { status: "ok", transactionId: callback.transactionId });
  };
}

function main() {
  const secret = process.env.ENABLE3_CALLBACK_SECRET;
  if (!secret) {
    console.error("Set ENABLE3_CALLBACK_SECRET to the callback secret from the Enable3 admin panel.");
    process.exit(2);
  }
  const handler = createCallbackHandler({
    secret,
    onWithdrawal: (c) => console.log(`pay ${c.amount} to ${c.userId} (transaction ${c.transactionId})`),
  });
  // A stalled upload must not hold a connection open: Node's default request timeout is five minutes.
  const requestTimeout = Number(process.env.REQUEST_TIMEOUT_MS ?? 10_000);
  const timeouts = { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1_000, requestTimeout) };
  const server = createServer(timeouts, (req, res) =>
    handler(req, res).catch((error) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500).end();
    }),
  );
  server.listen(Number(process.env.PORT ?? 3001), "127.0.0.1", () => {
    console.log(`Callback endpoint on http://127.0.0.1:${server.address().port}/`);
  });
  process.once("SIGTERM", () => server.close());
  process.once("SIGINT", () => server.close());
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
