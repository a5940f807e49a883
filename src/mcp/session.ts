import { hobStatePaths, type LoadedConfig, type McpServerConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";
import type { Tool, ToolRegistry } from "../tools/index.js";
import { McpConnection } from "./connection.js";
import { RememberedApprovals } from "./remembered.js";
import { type McpToolInfo, toolsOf } from "./tools.js";

/** Which configured servers an agent's `mcp:` list names ("*" is every enabled one); unknown names are errors. */
export function scopedServers(
  servers: Record<string, McpServerConfig>,
  scope: readonly string[],
  agent: string,
): Array<[string, McpServerConfig]> {
  const names = scope.includes("*") ? Object.keys(servers) : [...new Set(scope)];
  const chosen: Array<[string, McpServerConfig]> = [];
  for (const name of names) {
    const server = Object.hasOwn(servers, name) ? servers[name] : undefined;
    if (!server) {
      throw new HobError(
        "E_CONFIG",
        `The ${agent} agent lists the MCP server "${name}", which hob.yaml does not define.`,
        {
          hint: `Add it (\`hob mcp add ${name} …\`) or remove it from the agent's mcp: list. Defined: ${Object.keys(servers).join(", ") || "none"}.`,
        },
      );
    }
    if (server.enabled) chosen.push([name, server]);
  }
  return chosen;
}

/**
 * The MCP servers of one task: started when the task's agent first needs them (when its
 * turn begins), their tools registered beside the built-ins, all stopped when the task
 * ends or pauses (a resumed task starts them again, and sees their tools as they are then).
 */
export class McpSession {
  private readonly connections: McpConnection[] = [];
  readonly infos: McpToolInfo[] = [];

  private constructor(readonly remembered: RememberedApprovals) {}

  static async open(
    config: LoadedConfig,
    servers: Array<[string, McpServerConfig]>,
    options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv; taken?: Iterable<string> } = {},
  ): Promise<{ session: McpSession; tools: Array<{ tool: Tool<never>; server: string }> }> {
    const session = new McpSession(new RememberedApprovals(config.paths.home));
    const env = options.env ?? config.env ?? process.env;
    const hobPaths = hobStatePaths(config.paths);
    const opened = await Promise.allSettled(
      servers.map(([name, server]) =>
        McpConnection.open(name, server, { env, hobPaths, ...(options.signal ? { signal: options.signal } : {}) }),
      ),
    );
    for (const result of opened) if (result.status === "fulfilled") session.connections.push(result.value);
    const failed = opened.find((result) => result.status === "rejected");
    if (failed) {
      await session.close();
      throw failed.reason;
    }
    const taken = new Set(options.taken ?? []);
    const tools: Array<{ tool: Tool<never>; server: string }> = [];
    for (const connection of session.connections) {
      for (const { tool, info } of await toolsOf(connection, session.remembered, taken)) {
        tools.push({ tool, server: connection.name });
        session.infos.push(info);
      }
    }
    return { session, tools };
  }

  get servers(): McpConnection[] {
    return [...this.connections];
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.splice(0).map((connection) => connection.close()));
  }
}

/**
 * Starts the servers an agent's scope names and registers their tools into a copy of
 * `base`; returns the registry, the names added, and how to stop the servers.
 */
export async function openMcpTools(
  config: LoadedConfig,
  scope: readonly string[],
  agent: string,
  base: ToolRegistry,
  options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {},
): Promise<{ registry: ToolRegistry; names: string[]; close: () => Promise<void> } | undefined> {
  const servers = scopedServers(config.config.mcp_servers, scope, agent);
  if (servers.length === 0) return undefined;
  const { session, tools } = await McpSession.open(config, servers, { ...options, taken: base.names() });
  const { ToolRegistry } = await import("../tools/index.js");
  const registry = new ToolRegistry();
  for (const { tool, source } of base.list()) registry.register(tool, source);
  for (const { tool, server } of tools) registry.register(tool, `mcp:${server}`);
  return { registry, names: tools.map(({ tool }) => tool.name), close: () => session.close() };
}
