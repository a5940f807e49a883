import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { parseDocument } from "yaml";
import {
  CONFIG_TEMPLATE,
  type LoadedConfig,
  loadConfig,
  MCP_SERVER_NAME,
  type McpServerConfig,
  mcpServerSchema,
} from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import { McpSession, parseMcpJson, RememberedApprovals } from "../../mcp/index.js";
import { colorsFor, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine } from "../safe.js";

interface JsonOption {
  json: boolean;
}

function target(server: McpServerConfig): string {
  return "url" in server ? server.url : [server.command, ...server.args].join(" ");
}

function serverJson(name: string, server: McpServerConfig, remembered: RememberedApprovals) {
  return {
    name,
    type: "url" in server ? "http" : "stdio",
    ...("url" in server ? { url: server.url } : { command: server.command, args: server.args }),
    enabled: server.enabled,
    sandbox: "url" in server ? false : server.sandbox,
    read_only: server.read_only,
    always_ask: server.always_ask,
    timeout_ms: server.timeout_ms,
    remembered_tools: remembered
      .list()
      .filter((a) => a.server === name)
      .map((a) => a.tool),
  };
}

function serverNamed(config: LoadedConfig, name: string): McpServerConfig {
  // Own keys only: "constructor" or "toString" is a name, not something every object has.
  const server = Object.hasOwn(config.config.mcp_servers, name) ? config.config.mcp_servers[name] : undefined;
  if (!server) {
    const known = Object.keys(config.config.mcp_servers);
    throw new HobError("E_NOT_FOUND", `There is no MCP server named "${name}" in ${config.paths.configFile}.`, {
      hint: known.length > 0 ? `Configured: ${known.join(", ")}.` : "Add one: hob mcp add <name> -- <command> [args…]",
    });
  }
  return server;
}

/** `hob mcp list`: the configured servers (nothing is started). */
export async function mcpListCommand(io: CliIO, options: JsonOption): Promise<number> {
  const config = loadConfig(io.env);
  const remembered = new RememberedApprovals(config.paths.home);
  const servers = Object.entries(config.config.mcp_servers).map(([name, server]) =>
    serverJson(name, server, remembered),
  );
  if (options.json) writeJson(io, servers);
  else if (servers.length === 0)
    io.stdout.write(
      "No MCP servers are configured.\nAdd one: hob mcp add <name> -- <command> [args…]  (or hob mcp import .mcp.json)\n",
    );
  else {
    const c = colorsFor(io.stdout, io.env);
    io.stdout.write(
      `${table([
        ["NAME", "TYPE", "ENABLED", "SANDBOX", "COMMAND / URL"].map((h) => c.bold(h)),
        ...Object.entries(config.config.mcp_servers).map(([name, server]) => [
          name,
          "url" in server ? "http" : "stdio",
          server.enabled ? "yes" : "no",
          "url" in server ? "-" : server.sandbox ? "yes" : "no",
          safeLine(target(server)).slice(0, 70),
        ]),
      ])}\n`,
    );
  }
  return 0;
}

/** Starts one server, gives its session to `use`, and always stops it. */
async function withServer<T>(io: CliIO, name: string, use: (session: McpSession) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const server = serverNamed(config, name);
  const controller = new AbortController();
  const unsubscribe = io.onInterrupt(() => controller.abort());
  const { session } = await McpSession.open(config, [[name, server]], { signal: controller.signal });
  try {
    return await use(session);
  } finally {
    unsubscribe();
    await session.close();
  }
}

/** `hob mcp tools <name>`: starts the server, lists its tools as the model sees them, stops it. */
export async function mcpToolsCommand(io: CliIO, name: string, options: JsonOption): Promise<number> {
  const infos = await withServer(io, name, async (session) => session.infos);
  if (options.json) {
    writeJson(
      io,
      infos.map((info) => ({
        name: info.name,
        tool: info.tool,
        description: info.description,
        input_schema: info.inputSchema,
        definition_sha256: info.definitionSha256,
        approval: info.approval,
      })),
    );
    return 0;
  }
  if (infos.length === 0) io.stdout.write(`MCP server "${name}" offers no tools.\n`);
  for (const info of infos) {
    io.stdout.write(`${safeLine(info.name)}  (${info.approval.replace("_", " ")})\n`);
    for (const line of info.description.split("\n").slice(0, 6)) io.stdout.write(`    ${safeLine(line)}\n`);
  }
  return 0;
}

/** `hob mcp test <name>`: starts the server, lists its tools, stops it; a crash or hang is an error naming it. */
export async function mcpTestCommand(io: CliIO, name: string, options: JsonOption): Promise<number> {
  const started = Date.now();
  const result = await withServer(io, name, async (session) => ({
    tools: session.infos.map((info) => info.tool),
    startMs: session.servers[0]?.startedInMs ?? 0,
  }));
  const durationMs = Date.now() - started;
  if (options.json)
    writeJson(io, { server: name, ok: true, tools: result.tools, start_ms: result.startMs, duration_ms: durationMs });
  else
    io.stdout.write(
      `MCP server "${name}" started in ${result.startMs} ms and offers ${result.tools.length} tool${result.tools.length === 1 ? "" : "s"}: ${result.tools.map(safeLine).join(", ") || "none"}. Stopped.\n`,
    );
  return 0;
}

/** Reads hob.yaml as a YAML document (comments kept), or the template when there is none. */
function configDocument(config: LoadedConfig) {
  const file = config.paths.configFile;
  const text = existsSync(file) ? readFileSync(file, "utf8") : CONFIG_TEMPLATE;
  return { file, doc: parseDocument(text) };
}

/** Writes hob.yaml atomically, and only if the result still loads (else nothing changes). */
function writeConfig(io: CliIO, file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const previous = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, file);
  try {
    loadConfig(io.env);
  } catch (error) {
    if (previous === undefined) writeFileSync(file, CONFIG_TEMPLATE, { mode: 0o600 });
    else writeFileSync(file, previous, { mode: 0o600 });
    throw error;
  }
}

function addServers(io: CliIO, servers: Record<string, Record<string, unknown>>, force: boolean): LoadedConfig {
  const config = loadConfig(io.env);
  const existing = Object.keys(servers).filter((name) => Object.hasOwn(config.config.mcp_servers, name));
  if (existing.length > 0 && !force) {
    throw new HobError("E_CONFLICT", `MCP server ${existing.map((n) => `"${n}"`).join(", ")} is already configured.`, {
      hint: "Use --force to replace it, or `hob mcp remove <name>` first.",
    });
  }
  const { file, doc } = configDocument(config);
  for (const [name, server] of Object.entries(servers)) doc.setIn(["mcp_servers", name], doc.createNode(server));
  writeConfig(io, file, doc.toString());
  return loadConfig(io.env);
}

function keyValues(values: string[], separator: RegExp, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const match = separator.exec(value);
    if (!match || match.index === 0)
      throw new HobError("E_USAGE", `${what} "${value}" is not KEY${what === "--header" ? ": " : "="}VALUE.`);
    out[value.slice(0, match.index).trim()] = value.slice(match.index + match[0].length).trim();
  }
  return out;
}

export interface AddOptions extends JsonOption {
  transport?: string;
  env: string[];
  header: string[];
  sandbox: boolean;
  path: string[];
  network: boolean;
  readOnly: string[];
  alwaysAsk: string[];
  timeoutMs?: number;
  force: boolean;
}

/** `hob mcp add <name> <command|url> [args…]`: adds a server to hob.yaml (comments in the file are kept). */
export async function mcpAddCommand(
  io: CliIO,
  name: string,
  commandOrUrl: string,
  args: string[],
  options: AddOptions,
): Promise<number> {
  if (!MCP_SERVER_NAME.test(name))
    throw new HobError("E_USAGE", `"${name}" cannot be a server name.`, {
      hint: "Use letters, digits, _ and - (up to 40): it becomes part of tool names (mcp__<server>__<tool>).",
    });
  const http = options.transport ? options.transport === "http" : /^https?:\/\//.test(commandOrUrl);
  if (options.transport && !["http", "stdio"].includes(options.transport))
    throw new HobError("E_USAGE", `--transport must be stdio or http, not "${options.transport}".`);
  const extra: Record<string, unknown> = {
    ...(options.readOnly.length > 0 ? { read_only: options.readOnly } : {}),
    ...(options.alwaysAsk.length > 0 ? { always_ask: options.alwaysAsk } : {}),
    ...(options.timeoutMs ? { timeout_ms: options.timeoutMs } : {}),
  };
  const entry: Record<string, unknown> = http
    ? {
        type: "http",
        url: commandOrUrl,
        ...(options.header.length > 0 ? { headers: keyValues(options.header, /:\s*/, "--header") } : {}),
        ...extra,
      }
    : {
        type: "stdio",
        command: commandOrUrl,
        args,
        ...(options.env.length > 0 ? { env: keyValues(options.env, /=/, "--env") } : {}),
        ...(options.sandbox ? { sandbox: true } : {}),
        ...(options.path.length > 0
          ? {
              paths: options.path.map((p) =>
                p.endsWith(":rw") ? { path: p.slice(0, -3), mode: "rw" } : p.endsWith(":ro") ? p.slice(0, -3) : p,
              ),
            }
          : {}),
        ...(options.network ? { network: true } : {}),
        ...extra,
      };
  const checked = mcpServerSchema.safeParse(entry);
  if (!checked.success)
    throw new HobError("E_USAGE", `That server entry is not valid: ${checked.error.issues[0]?.message ?? "invalid"}.`);
  const config = addServers(io, { [name]: entry }, options.force);
  const server = serverNamed(config, name);
  if (options.json) writeJson(io, serverJson(name, server, new RememberedApprovals(config.paths.home)));
  else
    io.stdout.write(
      `Added MCP server "${name}" to ${config.paths.configFile}. Check it with \`hob mcp test ${name}\`; an agent sees its tools once its YAML lists it (mcp: [${name}]).\n`,
    );
  return 0;
}

/** `hob mcp import <file>`: every server of a pasted `.mcp.json` (Claude Code, Claude Desktop, Cursor, VS Code). */
export async function mcpImportCommand(
  io: CliIO,
  file: string,
  options: JsonOption & { force: boolean },
): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new HobError("E_NOT_FOUND", `Cannot read ${file}.`);
  }
  const { servers } = parseMcpJson(text, file);
  const config = addServers(io, servers, options.force);
  const names = Object.keys(servers);
  if (options.json) {
    const remembered = new RememberedApprovals(config.paths.home);
    writeJson(
      io,
      names.map((name) => serverJson(name, serverNamed(config, name), remembered)),
    );
  } else
    io.stdout.write(
      `Imported ${names.length} MCP server${names.length === 1 ? "" : "s"} into ${config.paths.configFile}: ${names.join(", ")}.\n`,
    );
  return 0;
}

/** `hob mcp remove <name>`: removes the server from hob.yaml and forgets its "always" approvals. */
export async function mcpRemoveCommand(io: CliIO, name: string, options: JsonOption): Promise<number> {
  const config = loadConfig(io.env);
  serverNamed(config, name);
  const { file, doc } = configDocument(config);
  doc.deleteIn(["mcp_servers", name]);
  writeConfig(io, file, doc.toString());
  const forgotten = new RememberedApprovals(config.paths.home).forget(name);
  if (options.json) writeJson(io, { removed: name, forgotten_approvals: forgotten });
  else
    io.stdout.write(
      `Removed MCP server "${name}"${forgotten > 0 ? ` and forgot ${forgotten} "always" approval${forgotten === 1 ? "" : "s"}` : ""}.\n`,
    );
  return 0;
}
