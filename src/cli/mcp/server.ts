// An MCP server (the SDK's) answering tools/list and tools/call from the tools this process was
// started with. One is made per stdio connection, or per HTTP request (the HTTP transport is stateless).
import { packageJson } from "../package-json.js";
import { type CallOptions, callTool } from "./calls.js";
import type { McpSdk } from "./sdk.js";
import type { Tool, ToolContext } from "./tools.js";

export function createToolServer(sdk: McpSdk, tools: readonly Tool[], context: ToolContext, options: CallOptions) {
  const server = new sdk.Server(
    { name: "enable3", title: "Enable3 loyalty", version: packageJson().version },
    {
      capabilities: { tools: {} },
      instructions: options.allowWrites
        ? "Enable3 loyalty tools for an operator's staff. Writes are enabled: each one changes what players see and earn; confirm with the person before sending."
        : "Enable3 loyalty tools for an operator's staff, read-only: writes are not enabled on this server.",
    },
  );
  // a message that cannot be read or answered: told, never lost
  server.onerror = (error) => options.audit(`enable3 mcp: ${error.message}`);
  const listed = tools.filter((t) => options.allowWrites || !t.write);
  server.setRequestHandler(sdk.ListToolsRequestSchema, () => ({
    tools: listed.map(({ name, title, description, inputSchema, annotations }) => ({
      name,
      title,
      description,
      inputSchema: inputSchema as { type: "object"; [key: string]: unknown },
      annotations,
    })),
  }));
  server.setRequestHandler(sdk.CallToolRequestSchema, (request) =>
    callTool(tools, request.params.name, request.params.arguments, context, options),
  );
  return server;
}
