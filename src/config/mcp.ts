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

export const mcpStdioServerSchema = z
  .object({
    type: z.literal("stdio").optional(),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: stringMap.default({}),
    /** The folder it starts in (unsandboxed only; a sandboxed server starts in an empty private folder). */
    cwd: z.string().min(1).optional(),
    /** Run it under bubblewrap: only `paths` visible, network only with `network: true`. */
    sandbox: z.boolean().default(false),
    /** What a sandboxed server may see, at the same paths: `- /data` (read-only) or `- { path: /out, mode: rw }`. */
    paths: z.array(pathEntry).default([]),
    /** A sandboxed server's network: false leaves it only loopback. */
    network: z.boolean().default(false),
    ...common,
  })
  .strict();

export const mcpHttpServerSchema = z
  .object({
    type: z.enum(["http", "streamable-http"]).optional(),
    url: z.string().min(1),
    headers: stringMap.default({}),
    ...common,
  })
  .strict();

export const mcpServerSchema = z.union([mcpStdioServerSchema, mcpHttpServerSchema]);

export type McpServerConfig = z.infer<typeof mcpServerSchema>;
export type McpStdioServerConfig = z.infer<typeof mcpStdioServerSchema>;
export type McpHttpServerConfig = z.infer<typeof mcpHttpServerSchema>;

/** Server names become part of tool names (`mcp__<server>__<tool>`): letters, digits, `_` and `-`. */
export const MCP_SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export const mcpServersSchema = z
  .record(z.string().regex(MCP_SERVER_NAME, "a server name is letters, digits, _ and - (up to 40)"), mcpServerSchema)
  .default({});
