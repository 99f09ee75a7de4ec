// The MCP SDK's own client, connected to the built `enable3 mcp` over stdio (a subprocess, as Claude
// Desktop starts it) or to its --http endpoint. Each connection is closed when its test ends.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CLI } from "./cli.js";
import { ROOT } from "./process.js";
import { registerTeardown } from "./teardown.js";

export interface McpConnection {
  client: Client;
  /** What the server wrote to stderr so far (its start line, audit lines, outbox failures). */
  stderr(): string;
  close(): Promise<void>;
}

/** `enable3 mcp ...args` over stdio, the SDK's client connected to it. */
export async function connectMcp(args: string[], env: Record<string, string>): Promise<McpConnection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", ...args],
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: "enable3-test", version: "1.0.0" });
  const close = registerTeardown(() => client.close());
  await client.connect(transport);
  return { client, stderr: () => stderr, close };
}

/** The SDK's client on an `enable3 mcp --http` endpoint. */
export async function connectMcpHttp(url: string): Promise<Client> {
  const client = new Client({ name: "enable3-test", version: "1.0.0" });
  registerTeardown(() => client.close());
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** The text of a tool result, parsed. */
export function resultOf(result: unknown): { isError: boolean; data: Record<string, unknown>; text: string } {
  const r = result as { isError?: boolean; content: { type: string; text: string }[] };
  const text = r.content.map((c) => c.text).join("");
  return { isError: r.isError === true, data: JSON.parse(text) as Record<string, unknown>, text };
}
