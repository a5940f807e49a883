import { MCP_SERVER_NAME, type McpServerConfig, mcpServerSchema } from "../config/index.js";
import { HobError } from "../errors/index.js";

export interface ImportedServers {
  /** Valid entries, as they go into hob.yaml (only the keys the user wrote, not the defaults). */
  servers: Record<string, Record<string, unknown>>;
  /** Parsed with defaults, for showing. */
  parsed: Record<string, McpServerConfig>;
}

/**
 * Reads a pasted MCP config: Claude Code's `.mcp.json` and Claude Desktop's / Cursor's
 * `{ "mcpServers": { … } }`, VS Code's `{ "servers": { … } }`, or a bare `{ name: { … } }`.
 * Each entry must be one hob accepts; errors name the entry and the key.
 */
export function parseMcpJson(text: string, file: string): ImportedServers {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HobError("E_USAGE", `${file} is not JSON: ${(error as Error).message}.`, {
      hint: 'Give a file like .mcp.json: { "mcpServers": { "name": { "command": "…", "args": [] } } }.',
    });
  }
  const root = (value && typeof value === "object" ? value : {}) as Record<string, unknown>;
  const block = (root.mcpServers ?? root.servers ?? root.mcp_servers ?? root) as Record<string, unknown>;
  if (!block || typeof block !== "object" || Array.isArray(block) || Object.keys(block).length === 0) {
    throw new HobError("E_USAGE", `${file} has no MCP servers.`, {
      hint: 'Expected { "mcpServers": { "name": { … } } }.',
    });
  }
  const servers: Record<string, Record<string, unknown>> = {};
  const parsed: Record<string, McpServerConfig> = {};
  for (const [name, entry] of Object.entries(block)) {
    if (!MCP_SERVER_NAME.test(name)) {
      throw new HobError("E_USAGE", `${file}: the server name "${name}" cannot be used.`, {
        hint: "Server names are letters, digits, _ and - (up to 40): they become part of tool names.",
      });
    }
    const raw = { ...(entry as Record<string, unknown>) };
    // Claude Desktop and Cursor files sometimes say "disabled"; hob says enabled.
    if (typeof raw.disabled === "boolean") {
      raw.enabled = !raw.disabled;
      delete raw.disabled;
    }
    const result = mcpServerSchema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new HobError("E_USAGE", `${file}: server "${name}" is not one hob can use: ${describeIssue(issue)}.`, {
        hint: "A stdio server has command (and args, env); an HTTP server has url (and headers). hob speaks Streamable HTTP, not the older SSE transport.",
      });
    }
    servers[name] = raw;
    parsed[name] = result.data;
  }
  return { servers, parsed };
}

function describeIssue(issue: unknown): string {
  const i = issue as { message?: string; path?: PropertyKey[]; code?: string; keys?: string[] };
  if (i.code === "unrecognized_keys" && i.keys) return `unknown key ${i.keys.map((k) => `"${k}"`).join(", ")}`;
  const at = i.path && i.path.length > 0 ? `${i.path.join(".")}: ` : "";
  return `${at}${i.message ?? "invalid"}`;
}
