// The MCP SDK, loaded only when `enable3 mcp` runs: it is an optional peer dependency, so the
// library's entries and every other command work without it installed.

import { UsageError } from "../args.js";
import { packageJson } from "../package-json.js";

export type McpSdk = Awaited<ReturnType<typeof loadMcpSdk>>;

/** The SDK's pieces this command uses; a clear usage error when the package is not installed. */
export async function loadMcpSdk() {
  try {
    const [server, stdio, http, types] = await Promise.all([
      import("@modelcontextprotocol/sdk/server/index.js"),
      import("@modelcontextprotocol/sdk/server/stdio.js"),
      import("@modelcontextprotocol/sdk/server/streamableHttp.js"),
      import("@modelcontextprotocol/sdk/types.js"),
    ]);
    return {
      // the low-level Server: the tools' input schemas are JSON Schema made from the spec at start-up,
      // which McpServer's zod-only registerTool cannot take
      Server: server.Server,
      StdioServerTransport: stdio.StdioServerTransport,
      StreamableHTTPServerTransport: http.StreamableHTTPServerTransport,
      ListToolsRequestSchema: types.ListToolsRequestSchema,
      CallToolRequestSchema: types.CallToolRequestSchema,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (
      (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
      String((error as Error).message).includes("@modelcontextprotocol/sdk")
    ) {
      throw new UsageError(
        `enable3 mcp needs the MCP SDK, an optional peer dependency that is not installed: npm install @modelcontextprotocol/sdk@${wanted()}`,
      );
    }
    throw error;
  }
}

/** The range package.json asks for: one place for the version. */
function wanted(): string {
  return JSON.stringify(packageJson().peerDependencies?.["@modelcontextprotocol/sdk"] ?? "1");
}
