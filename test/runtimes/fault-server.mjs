// The scripted API for the runtime checks, in a Node process of its own: what it does depends on the
// user id in the path (or the body's userId), it records every request, and it allows any origin
// (the Chromium checks call it from a page). Prints {"url"} when listening; stops with its parent.
import { createServer } from "node:http";

const KEY = "runtime-key-4c2d9e";
const JWT = `${Buffer.from('{"alg":"HS512"}').toString("base64url")}.${Buffer.from(JSON.stringify({ exp: 4102444800 })).toString("base64url")}.sig`;
let seen = [];
const attempts = new Map();

const server = createServer((req, res) => {
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-allow-methods": "*",
    "access-control-expose-headers": "*",
  };
  const answer = (status, body, headers = {}) => {
    res.writeHead(status, { ...cors, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    if (req.method === "OPTIONS") return answer(204);
    if (req.url === "/_seen") return answer(200, seen);
    if (req.url === "/_reset") {
      seen = [];
      attempts.clear();
      return answer(200, { ok: true });
    }
    seen.push({ method: req.method, url: req.url, key: req.headers["x-api-key"], body });
    const scenario = decodeURIComponent(/\/user\/([^/]+)\//.exec(req.url)?.[1] ?? (body ? JSON.parse(body).userId : ""));
    const count = (id) => {
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      return n;
    };
    if (scenario === "hang") return; // never answers; the connection ends with the client or the server
    if (scenario === "redirect") return answer(302, undefined, { location: "http://127.0.0.1:1/elsewhere" });
    if (scenario === "leak") return answer(500, { message: `bad key ${KEY}` }, { "x-request-id": `req-${KEY}` });
    if (scenario === "retry-after")
      return count("retry-after") === 1
        ? answer(503, undefined, { "retry-after": "1" })
        : answer(200, { balance: "1.00", userExists: true });
    if (scenario === "flaky") return count(JSON.parse(body).id) < 3 ? answer(503) : answer(201);
    if (req.url.endsWith("/widget")) return answer(200, { url: `https://widget.example/?token=${JWT}` });
    if (req.url.endsWith("/balance")) return answer(200, { balance: "12.50", userExists: true });
    return answer(req.method === "POST" ? 201 : 200);
  });
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })));
process.stdin.on("end", () => process.exit(0)); // the parent went away
process.stdin.resume();
