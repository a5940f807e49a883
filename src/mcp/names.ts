import { createHash } from "node:crypto";

/** What model APIs accept as a tool name (Anthropic and OpenAI alike): ^[a-zA-Z0-9_-]{1,64}$. */
export const MAX_TOOL_NAME = 64;

function clean(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, "_") || "_";
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

/** What an approval of a server's tool binds: its name, description and input schema. */
export function definitionHash(tool: { name: string; description?: string; inputSchema: unknown }): string {
  return createHash("sha256")
    .update(canonical({ name: tool.name, description: tool.description ?? "", inputSchema: tool.inputSchema }))
    .digest("hex");
}
