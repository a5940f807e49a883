import { HobError } from "../errors/index.js";

/**
 * hob's own secrets: never filled into an MCP server's env, headers or arguments from the
 * environment, even when the config names them (a pasted block that asks for
 * `${ANTHROPIC_API_KEY}` does not get hob's key). A user who really means to give one to a
 * server writes the value itself into hob.yaml.
 */
export const HOB_SECRETS = new Set([
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "OPENAI_API_KEY",
  "BRAVE_API_KEY",
  "HOB_WEB_TOKEN",
  "HOB_UNSAFE_NO_SANDBOX",
]);

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Fills `${VAR}` and `${VAR:-default}` from `env`, the way Claude Code does for `.mcp.json`.
 * A variable that is unset (and has no default) is an error naming the server and where.
 */
export function expandVariables(text: string, env: NodeJS.ProcessEnv, server: string, where: string): string {
  return text.replace(PATTERN, (_match, name: string, fallback: string | undefined) => {
    if (HOB_SECRETS.has(name)) {
      throw new HobError(
        "E_CONFIG",
        `MCP server "${server}": ${where} asks for \${${name}}, one of hob's own secrets.`,
        {
          hint: `hob never hands its own keys to an MCP server. If this server really needs that value, write it literally in hob.yaml under mcp_servers.${server}.`,
        },
      );
    }
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    throw new HobError("E_CONFIG", `MCP server "${server}": ${where} uses \${${name}}, which is not set.`, {
      hint: `Set ${name} in your environment, or give a default: \${${name}:-value}.`,
    });
  });
}

export function expandRecord(
  record: Record<string, string>,
  env: NodeJS.ProcessEnv,
  server: string,
  what: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, expandVariables(value, env, server, `${what}.${key}`)]),
  );
}
