// The benchmark's API: a keep-alive HTTP server on 127.0.0.1, in its own process so its work does not
// share an event loop with the clients measured. Answers the Enable3 paths with small fixed bodies,
// after LATENCY_MS (default 0) standing in for the network: on loopback with no latency a concurrent
// client is CPU-bound and concurrency cannot show.
import { createServer } from "node:http";

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 0);

const BALANCE = JSON.stringify({ balance: "125.50", userExists: true });
const server = createServer((req, res) => {
  req.resume();
  req.once("end", () => (LATENCY_MS ? setTimeout(answer, LATENCY_MS) : answer()));
  function answer() {
    if (req.method === "GET" && req.url.endsWith("/balance")) {
      res.writeHead(200, { "content-type": "application/json", "content-length": BALANCE.length });
      res.end(BALANCE);
    } else {
      res.writeHead(req.method === "POST" ? 201 : 200, { "content-length": 0 });
      res.end();
    }
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
process.on("disconnect", () => process.exit(0));
