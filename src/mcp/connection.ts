import { realpathSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { type CallToolResult, ErrorCode, McpError, type Tool as McpTool } from "@modelcontextprotocol/sdk/types.js";
import { expandHome, type McpServerConfig } from "../config/index.js";
import { HobError, toHobError } from "../errors/index.js";
import { isInside } from "../sandbox/index.js";
import { asUntrustedData } from "../tools/index.js";
import { serverEnvironment } from "./env.js";
import { expandRecord, expandVariables } from "./expand.js";
import { BoundedStdioTransport } from "./stdio.js";

export type McpToolDefinition = McpTool;

/** Why hob ended an HTTP server's connection (an output flood), for the error of the call that was waiting. */
const httpFloods = new WeakMap<Transport, string>();

/** Messages from a server larger than this end it (a stdio server's output flood). */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
const MAX_TOOL_PAGES = 20;
/** More tools than this from one server is an error (each one is in every model request). */
export const MAX_TOOLS = 256;
/** A tool's input schema larger than this (as JSON) is an error, for the same reason. */
export const MAX_SCHEMA_CHARS = 65_536;
const CLIENT_INFO = { name: "hob", version: "1" };

export interface ConnectOptions {
  /** The user's environment: `${VAR}` and the basic variables come from it, nothing else. */
  env: NodeJS.ProcessEnv;
  /** hob's own state: a sandboxed server may not be given any of it. */
  hobPaths: string[];
  signal?: AbortSignal;
}

/**
 * One running MCP server: started (stdio or Streamable HTTP), initialised, its tools listed;
 * then tool calls, each with a time limit; then closed. Every failure is a HobError
 * (E_MCP) that names the server and says what to do.
 */
export class McpConnection {
  private constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly client: Client,
    private readonly transport: Transport,
    readonly tools: McpToolDefinition[],
    readonly startedInMs: number,
  ) {}

  static async open(name: string, config: McpServerConfig, options: ConnectOptions): Promise<McpConnection> {
    const started = Date.now();
    const transport = createTransport(name, config, options);
    const client = new Client(CLIENT_INFO, { capabilities: {} });
    const timeout = config.startup_timeout_ms;
    const requestOptions = { timeout, ...(options.signal ? { signal: options.signal } : {}) };
    try {
      await withDeadline(client.connect(transport, requestOptions), timeout);
      const tools: McpToolDefinition[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const listed = await client.listTools(cursor ? { cursor } : undefined, requestOptions);
        tools.push(...listed.tools);
        cursor = listed.nextCursor;
        if (!cursor) break;
      }
      checkToolList(name, tools);
      return new McpConnection(name, config, client, transport, tools, Date.now() - started);
    } catch (error) {
      const failure = serverError(name, transport, error, "starting", timeout, options.signal);
      await client.close().catch(() => undefined);
      await transport.close().catch(() => undefined);
      throw failure;
    }
  }

  /** Calls a tool with the config's time limit; a crash, hang or protocol error is an E_MCP HobError. */
  async call(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    const timeout = this.config.timeout_ms;
    try {
      const result = await withDeadline(
        this.client.callTool({ name: tool, arguments: args }, undefined, {
          timeout,
          ...(signal ? { signal } : {}),
        }),
        timeout,
      );
      return result as CallToolResult;
    } catch (error) {
      // This error goes back to the model: what the server itself wrote (stderr, error messages) is quoted data.
      throw serverError(
        this.name,
        this.transport,
        error,
        `running ${tool}`,
        timeout,
        signal,
        `mcp:${this.name}/${tool}`,
      );
    }
  }

  /** Whether its process (stdio) is still running. */
  get alive(): boolean {
    return !(this.transport instanceof BoundedStdioTransport) || this.transport.exit === undefined;
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
    await this.transport.close().catch(() => undefined);
  }
}

function createTransport(name: string, config: McpServerConfig, options: ConnectOptions): Transport {
  const { env } = options;
  if ("url" in config) {
    let url: URL;
    try {
      url = new URL(expandVariables(config.url, env, name, "url"));
    } catch (error) {
      if (error instanceof HobError) throw error;
      throw new HobError("E_CONFIG", `MCP server "${name}": url is not a URL.`, {
        hint: "Give the server's Streamable HTTP endpoint, e.g. http://127.0.0.1:3000/mcp.",
      });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new HobError("E_CONFIG", `MCP server "${name}": url must be http:// or https://.`);
    const transport: StreamableHTTPClientTransport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: expandRecord(config.headers, env, name, "headers") },
      fetch: boundedFetch(MAX_MESSAGE_BYTES, (reason) => {
        // As for a stdio server: a flood ends the connection, and the waiting call fails now.
        httpFloods.set(transport, reason);
        void transport.close();
      }),
    });
    return transport;
  }
  const declared = expandRecord(config.env, env, name, "env");
  const command = expandVariables(config.command, env, name, "command");
  const args = config.args.map((arg, i) => expandVariables(arg, env, name, `args[${i}]`));
  if (!config.sandbox) {
    return new BoundedStdioTransport({
      command,
      args,
      env: serverEnvironment(env, declared),
      ...(config.cwd ? { cwd: resolve(expandHome(config.cwd, env)) } : {}),
      maxMessageBytes: MAX_MESSAGE_BYTES,
    });
  }
  const readOnly: Array<{ source: string; target: string }> = [];
  const writable: Array<{ source: string; target: string }> = [];
  for (const entry of config.paths) {
    const { path, mode } = typeof entry === "string" ? { path: entry, mode: "ro" as const } : entry;
    const real = declaredPath(name, expandVariables(path, env, name, "paths"), env, options.hobPaths);
    (mode === "rw" ? writable : readOnly).push(real);
  }
  return new BoundedStdioTransport({
    command,
    args,
    env: declared,
    sandbox: { readOnly, writable, network: config.network },
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
}

/**
 * A sandboxed server's declared path: absolute, existing, and neither inside nor around hob's
 * own state. It is mounted where it was declared (`target`), from where it really is (`source`).
 */
function declaredPath(
  server: string,
  path: string,
  env: NodeJS.ProcessEnv,
  hobPaths: string[],
): { source: string; target: string } {
  const expanded = expandHome(path, env);
  if (!isAbsolute(expanded))
    throw new HobError("E_CONFIG", `MCP server "${server}": paths entry "${path}" is not absolute.`, {
      hint: "Give absolute paths (or ~/…) under paths:.",
    });
  let real: string;
  try {
    real = realpathSync(expanded);
  } catch {
    throw new HobError("E_CONFIG", `MCP server "${server}": paths entry "${path}" does not exist.`, {
      hint: "Create it, or remove it from the server's paths:.",
    });
  }
  for (const state of hobPaths) {
    let stateReal = state;
    try {
      stateReal = realpathSync(state);
    } catch {
      // not there yet: compare as written
    }
    if (isInside(stateReal, real) || isInside(real, stateReal))
      throw new HobError("E_CONFIG", `MCP server "${server}": paths entry "${path}" holds hob's own state.`, {
        hint: "A sandboxed server never sees hob's config, database or approvals; give it another folder.",
      });
  }
  return { source: real, target: resolve(expanded) };
}

/**
 * Every tool's definition goes to the model with every request: a server may not make that
 * unbounded (thousands of tools, or a schema of megabytes, cost money at each step and can
 * push the task out of the model's context).
 */
function checkToolList(name: string, tools: McpToolDefinition[]): void {
  if (tools.length > MAX_TOOLS)
    throw new HobError("E_MCP", `MCP server "${name}" offers ${tools.length} tools; hob takes at most ${MAX_TOOLS}.`, {
      hint: "Use a server (or a configuration of it) that offers fewer tools.",
    });
  for (const tool of tools) {
    const size = JSON.stringify(tool.inputSchema ?? {}).length;
    if (size > MAX_SCHEMA_CHARS)
      throw new HobError(
        "E_MCP",
        `MCP server "${name}": the input schema of its tool "${tool.name.slice(0, 64)}" is ${size} characters; hob takes at most ${MAX_SCHEMA_CHARS}.`,
        { hint: "Every tool's schema goes to the model with every request; use a server with smaller ones." },
      );
  }
}

/**
 * fetch for an HTTP server, with each response body cut off past `max` bytes (an output
 * flood): the request then fails (at the latest at its time limit) instead of filling memory.
 */
function boundedFetch(
  max: number,
  onFlood: (reason: string) => void,
): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (!response.body) return response;
    let seen = 0;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen <= max) {
            controller.enqueue(chunk);
            return;
          }
          const reason = `it sent a response larger than ${max} bytes (an output flood)`;
          controller.error(new Error(reason));
          onFlood(reason);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** Races a request against its deadline: the SDK's own timeout does not cover a server that never reads. */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new McpError(ErrorCode.RequestTimeout, "deadline")), ms + 250);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function serverError(
  name: string,
  transport: Transport,
  error: unknown,
  doing: string,
  timeoutMs: number,
  signal?: AbortSignal,
  /** Set for a tool call's error (read by the model): the server's own words are then quoted as untrusted data. */
  quoteAs?: string,
): HobError {
  const theirs = (text: string, what: string) =>
    quoteAs ? `\n${asUntrustedData(`${quoteAs}:${what}`, text)}` : ` ${text}`;
  if (error instanceof HobError) return error;
  if (signal?.aborted) return new HobError("E_CANCELLED", `Cancelled while MCP server "${name}" was ${doing}.`);
  const test = `Run \`hob mcp test ${name}\` to see it start on its own.`;
  const flood = httpFloods.get(transport);
  if (flood)
    return new HobError("E_MCP", `MCP server "${name}" was disconnected while ${doing}: ${flood}.`, { hint: test });
  const exit = transport instanceof BoundedStdioTransport ? transport.exit : undefined;
  if (exit && transport instanceof BoundedStdioTransport) {
    const how = exit.reason ?? (exit.code !== null ? `exit code ${exit.code}` : `signal ${exit.signal}`);
    const tail = transport.stderrTail().split("\n").slice(-3).join(" | ").slice(0, 400);
    return new HobError(
      "E_MCP",
      `MCP server "${name}" stopped while ${doing}: ${how}${tail ? `. Its last output:${theirs(tail, "stderr")}` : ""}${tail && quoteAs ? "" : "."}`,
      {
        hint: exit.reason?.includes("could not be started")
          ? "Check its command (is it installed and on PATH?)."
          : test,
      },
    );
  }
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new HobError("E_MCP", `MCP server "${name}" did not answer within ${timeoutMs} ms while ${doing}.`, {
      hint: `It may be hanging. ${test} Raise timeout_ms (or startup_timeout_ms) under mcp_servers.${name} if it is just slow.`,
      retryable: true,
    });
  }
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
    return new HobError("E_MCP", `MCP server "${name}" closed the connection while ${doing}.`, { hint: test });
  }
  const wrapped = toHobError(error);
  return new HobError("E_MCP", `MCP server "${name}" failed while ${doing}:${theirs(wrapped.message, "error")}`, {
    hint: test,
  });
}
