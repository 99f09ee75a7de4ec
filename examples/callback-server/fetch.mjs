// Enable3's withdrawal callbacks as a fetch-style handler: a Request in, a Response out. The default
// export is what Bun (`bun examples/callback-server/fetch.mjs`), Deno (`deno serve --allow-env
// examples/callback-server/fetch.mjs`) and Cloudflare Workers serve; in a Next.js route handler
// (app/enable3/callback/route.ts) it is `export const POST = (request) => receiver.fetch(request)`.
import { receiver } from "./receiver.mjs";

export const POST = (request) => receiver.fetch(request);

export default {
  fetch(request) {
    const { pathname } = new URL(request.url);
    return pathname === "/enable3/callback" ? receiver.fetch(request) : new Response("not found", { status: 404 });
  },
};
