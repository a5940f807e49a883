import { z } from "zod";

/**
 * One entry of hob.yaml's `mcp_servers:`, in the shape Claude Code's `.mcp.json`, Claude
 * Desktop and Cursor use (so a block can be pasted as is), plus hob's own keys beside it.
 * stdio: `{ command, args, env }` (Claude Code also writes `type: stdio`); Streamable HTTP:
 * `{ url, headers }` (`type: http`). `${VAR}` and `${VAR:-default}` in command, args, env, url
 * and headers are filled from the user's environment when the server starts.
 */
const common = {
  /** false keeps the entry but never starts the server. */
  enabled: z.boolean().default(true),
  /** Tools the user declares harmless: they run without asking. */
  read_only: z.array(z.string().min(1)).default([]),
  /** Tools that ask every time: "always" is never remembered for them. */
  always_ask: z.array(z.string().min(1)).default([]),
  /** How long one tool call may take. */
  timeout_ms: z.number().int().positive().default(60_000),
  /** How long starting the server (and listing its tools) may take. */
  startup_timeout_ms: z.number().int().positive().default(30_000),
  /** A tool result longer than this is cut (with a note saying so). */
  max_output_chars: z.number().int().positive().default(20_000),
};

const stringMap = z.record(z.string(), z.string());

const pathEntry = z.union([
  z.string().min(1),
  z.object({ path: z.string().min(1), mode: z.enum(["ro", "rw"]).default("ro") }).strict(),
]);

const commonShape = z.object(common);
type Common = z.infer<typeof commonShape>;

export interface McpStdioServerConfig extends Common {
  type?: "stdio";
  command: string;
  args: string[];
  env: Record<string, string>;
  /** The folder it starts in (unsandboxed only; a sandboxed server starts in an empty private folder). */
  cwd?: string;
  /** Run it under bubblewrap: only `paths` visible, network only with `network: true`. */
  sandbox: boolean;
  /** What a sandboxed server may see, at the same paths: `- /data` (read-only) or `- { path: /out, mode: rw }`. */
  paths: Array<string | { path: string; mode: "ro" | "rw" }>;
  /** A sandboxed server's network: false leaves it only loopback. */
  network: boolean;
}

export interface McpHttpServerConfig extends Common {
  type?: "http" | "streamable-http";
  url: string;
  headers: Record<string, string>;
}

export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;

const STDIO_ONLY = ["command", "args", "env", "cwd", "sandbox", "paths", "network"] as const;

/**
 * One object with every key a server may have (so a misspelt key is reported by name), then
 * checked: a stdio server has `command`, an HTTP one `url`, and neither takes the other's keys.
 */
export const mcpServerSchema = z
  .object({
    type: z.enum(["stdio", "http", "streamable-http"]).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: stringMap.optional(),
    cwd: z.string().min(1).optional(),
    sandbox: z.boolean().optional(),
    paths: z.array(pathEntry).optional(),
    network: z.boolean().optional(),
    url: z.string().min(1).optional(),
    headers: stringMap.optional(),
    ...common,
  })
  .strict()
  .superRefine((server, ctx) => {
    if (server.command === undefined && server.url === undefined) {
      ctx.addIssue({ code: "custom", message: "a server needs `command` (stdio) or `url` (Streamable HTTP)" });
      return;
    }
    if (server.command !== undefined && server.url !== undefined) {
      ctx.addIssue({ code: "custom", message: "give `command` (stdio) or `url` (Streamable HTTP), not both" });
      return;
    }
    if (server.url !== undefined) {
      for (const key of STDIO_ONLY)
        if (server[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `\`${key}\` is for stdio servers, not for one with a url`,
          });
      if (server.type === "stdio")
        ctx.addIssue({ code: "custom", path: ["type"], message: "a server with a url is `type: http`" });
    } else {
      if (server.headers !== undefined)
        ctx.addIssue({ code: "custom", path: ["headers"], message: "`headers` is for HTTP servers (with a url)" });
      if (server.type !== undefined && server.type !== "stdio")
        ctx.addIssue({ code: "custom", path: ["type"], message: "a server with a command is `type: stdio`" });
    }
  })
  .transform((server): McpServerConfig => {
    const shared: Common = {
      enabled: server.enabled,
      read_only: server.read_only,
      always_ask: server.always_ask,
      timeout_ms: server.timeout_ms,
      startup_timeout_ms: server.startup_timeout_ms,
      max_output_chars: server.max_output_chars,
    };
    if (server.url !== undefined) {
      return {
        ...(server.type && server.type !== "stdio" ? { type: server.type } : {}),
        url: server.url,
        headers: server.headers ?? {},
        ...shared,
      };
    }
    return {
      ...(server.type === "stdio" ? { type: "stdio" as const } : {}),
      command: server.command as string,
      args: server.args ?? [],
      env: server.env ?? {},
      ...(server.cwd !== undefined ? { cwd: server.cwd } : {}),
      sandbox: server.sandbox ?? false,
      paths: server.paths ?? [],
      network: server.network ?? false,
      ...shared,
    };
  });

/** Server names become part of tool names (`mcp__<server>__<tool>`): letters, digits, `_` and `-`. */
export const MCP_SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export const mcpServersSchema = z
  .record(z.string().regex(MCP_SERVER_NAME, "a server name is letters, digits, _ and - (up to 40)"), mcpServerSchema)
  .default({});
