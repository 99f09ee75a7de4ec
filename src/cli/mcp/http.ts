// `enable3 mcp --http`: the MCP SDK's streamable HTTP transport on 127.0.0.1 only, stateless (a new
// server per request), at /mcp. A request whose Host or Origin is not this machine's loopback is
// refused: a web page cannot reach the tools through the browser (DNS rebinding).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpSdk } from "./sdk.js";

export interface HttpEndpoint {
  url: string;
  close(): Promise<void>;
}

type McpServer = InstanceType<McpSdk["Server"]>;

export async function serveHttp(
  sdk: McpSdk,
  makeServer: () => McpServer,
  port: number,
  tell: (line: string) => void,
): Promise<HttpEndpoint> {
  const http: Server = createServer((req, res) => {
    handle(sdk, makeServer, req, res, http).catch((error: unknown) => {
      tell(`enable3 mcp: an HTTP request failed: ${(error as Error)?.message ?? error}`);
      if (!res.headersSent) jsonRpcError(res, 500, "internal error");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  const { port: bound } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

async function handle(sdk: McpSdk, makeServer: () => McpServer, req: IncomingMessage, res: ServerResponse, http: Server) {
  const { port } = http.address() as AddressInfo;
  const loopback = [`127.0.0.1:${port}`, `localhost:${port}`];
  const origin = req.headers.origin;
  if (!loopback.includes(req.headers.host ?? "") || (origin !== undefined && !loopback.some((h) => origin === `http://${h}`))) {
    return jsonRpcError(res, 403, "only this machine's loopback may call this server");
  }
  if (new URL(req.url ?? "/", "http://127.0.0.1").pathname !== "/mcp") return jsonRpcError(res, 404, "the MCP endpoint is /mcp");
  // stateless: no session to stream to (GET) or end (DELETE)
  if (req.method !== "POST") return jsonRpcError(res, 405, "POST only", { allow: "POST" });
  const server = makeServer();
  const transport = new sdk.StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.once("close", () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
}

function jsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}
