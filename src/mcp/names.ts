import { createHash } from "node:crypto";

/** What model APIs accept as a tool name (Anthropic and OpenAI alike): ^[a-zA-Z0-9_-]{1,64}$. */
export const MAX_TOOL_NAME = 64;

function clean(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, "_") || "_";
}

/** Whether a server's or tool's name is already one model APIs accept (needs no `_` for other characters). */
export function isCleanName(part: string): boolean {
  return part !== "" && clean(part) === part;
}

/**
 * The name the model sees for a server's tool: `mcp__<server>__<tool>`, with characters the
 * APIs refuse replaced by `_`, cut to 64 characters, and made unique (a short hash of the
 * original name is appended when cutting or a clash would make two tools one).
 */
export function modelToolName(server: string, tool: string, taken: ReadonlySet<string>): string {
  const base = `mcp__${clean(server)}__${clean(tool)}`;
  if (base.length <= MAX_TOOL_NAME && !taken.has(base)) return base;
  const suffix = `_${createHash("sha256").update(`${server}\0${tool}`).digest("hex").slice(0, 8)}`;
  const name = `${base.slice(0, MAX_TOOL_NAME - suffix.length)}${suffix}`;
  return taken.has(name) ? `${name.slice(0, MAX_TOOL_NAME - 2)}_2` : name;
}

/** JSON with keys sorted at every level: the same definition always hashes the same. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * What an approval of a server's tool binds: its name, description and input schema, and
 * (when given) which program or endpoint offers it (`serverOrigin`), so "always" given to one
 * program never covers another that a config edit or `--force` put under the same server name.
 */
export function definitionHash(
  tool: { name: string; description?: string; inputSchema: unknown },
  origin?: Record<string, unknown>,
): string {
  return createHash("sha256")
    .update(
      canonical({
        name: tool.name,
        description: tool.description ?? "",
        inputSchema: tool.inputSchema,
        ...(origin ? { origin } : {}),
      }),
    )
    .digest("hex");
}

/** Which program (command, args, cwd, sandbox) or endpoint (url) a server entry runs, as written in hob.yaml. */
export function serverOrigin(
  config: { url: string } | { command: string; args: string[]; cwd?: string; sandbox: boolean },
): Record<string, unknown> {
  if ("url" in config) return { url: config.url };
  return { command: config.command, args: config.args, cwd: config.cwd, sandbox: config.sandbox };
}
