#!/usr/bin/env node
// Enable3's withdrawal callbacks in Fastify 5. Fastify parses JSON bodies before the handler, so the
// callback route lives in a plugin of its own whose content-type parser leaves the body unread; the
// handler hands the raw request and response to the receiver (reply.hijack(): it answers itself).
//
//   npm run build && ENABLE3_CALLBACK_SECRET=… node examples/callback-server/fastify.mjs
import Fastify from "fastify";
import { announce, port } from "./environment.mjs";
import { receiver } from "./receiver.mjs";

const app = Fastify();
app.register(async (callbacks) => {
  callbacks.removeAllContentTypeParsers();
  callbacks.addContentTypeParser("*", (_request, _payload, done) => done(null));
  callbacks.post("/enable3/callback", (request, reply) => {
    reply.hijack();
    return receiver.node(request.raw, reply.raw);
  });
});

await app.listen({ port, host: "127.0.0.1" });
announce(app.server.address().port);
process.once("SIGTERM", () => app.close());
