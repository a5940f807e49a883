import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { HobError } from "../errors/index.js";
import { asUntrustedData, type Tool } from "../tools/index.js";
import type { McpConnection, McpToolDefinition } from "./connection.js";
import { definitionHash, isCleanName, modelToolName, serverOrigin } from "./names.js";
import type { RememberedApprovals } from "./remembered.js";

type Ajv = import("ajv").Ajv;
let ajvInstance: Ajv | undefined;

/** Ajv loads when a server's tools are first made: commands that start no server never load it. */
export async function loadAjv(): Promise<Ajv> {
  if (!ajvInstance) {
    const { Ajv } = await import("ajv");
    // A server's `pattern` is never run in hob's process: `^(a+)+$` on "aaa…a!" would block hob's event
    // loop (no timeout, no Ctrl-C) before the approval gate is even reached. The server checks its own patterns.
    const regExp = Object.assign((_pattern: string, _flags: string) => ({ test: () => true }), {
      code: "hobNoRegExp",
    });
    ajvInstance = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp } });
  }
  return ajvInstance;
}

/** How a server's tool stands with approvals. */
export type ToolApproval = "read_only" | "always_ask" | "remembered" | "ask";

export interface McpToolInfo {
  /** The name the model sees. */
  name: string;
  server: string;
  /** The server's own name for it. */
  tool: string;
  description: string;
  inputSchema: Record<string, unknown>;
  definitionSha256: string;
  approval: ToolApproval;
}

export function approvalOf(
  connection: McpConnection,
  definition: McpToolDefinition,
  hash: string,
  remembered: RememberedApprovals,
): ToolApproval {
  const { config, name } = connection;
  if (config.always_ask.includes(definition.name)) return "always_ask";
  if (config.read_only.includes(definition.name)) return "read_only";
  return remembered.has(name, definition.name, hash) ? "remembered" : "ask";
}

/**
 * The server's tools as hob tools, named `mcp__<server>__<tool>`. Each call is checked against
 * the tool's own JSON Schema (Ajv) before anything else: a bad call goes back to the model as
 * an error and the server never sees it. Then the approval gate: read_only tools run; others
 * ask until the user answers "always" for this exact definition (always_ask tools ask every
 * time). The result is cut to `max_output_chars` and handed back as quoted, untrusted data.
 */
export async function toolsOf(
  connection: McpConnection,
  remembered: RememberedApprovals,
  taken: Set<string>,
): Promise<Array<{ tool: Tool<never>; info: McpToolInfo }>> {
  const ajv = await loadAjv();
  const { name: server, config } = connection;
  // A tool whose name needs no cleaning gets its plain name first: `approvals.tools.mcp__s__delete_note`
  // then always means the tool "delete_note", never a "delete.note" the server happened to list before it.
  const names = new Map<McpToolDefinition, string>();
  for (const plain of [true, false])
    for (const definition of connection.tools)
      if (isCleanName(definition.name) === plain) {
        const name = modelToolName(server, definition.name, taken);
        taken.add(name);
        names.set(definition, name);
      }
  return connection.tools.map((definition) => {
    const name = names.get(definition) as string;
    // Bound to the program too: a server entry replaced by another program offering an identical tool is asked about again.
    const hash = definitionHash(definition, serverOrigin(config));
    const inputSchema = { ...(definition.inputSchema as Record<string, unknown>) };
    const { $schema: _ignored, ...compilable } = inputSchema;
    let validate: ReturnType<Ajv["compile"]> | undefined;
    let schemaProblem: string | undefined;
    try {
      validate = ajv.compile(compilable);
    } catch (error) {
      schemaProblem = (error as Error).message;
    }
    const params = z.unknown().superRefine((value, ctx) => {
      if (schemaProblem) {
        ctx.addIssue({
          code: "custom",
          message: `the server's input schema for this tool is invalid (${schemaProblem})`,
        });
      } else if (value === null || typeof value !== "object" || Array.isArray(value)) {
        ctx.addIssue({ code: "custom", message: "the arguments must be a JSON object" });
      } else if (validate && !validate(value)) {
        ctx.addIssue({ code: "custom", message: ajv.errorsText(validate.errors, { dataVar: "arguments" }) });
      }
    });
    const readOnly = config.read_only.includes(definition.name) && !config.always_ask.includes(definition.name);
    const description = definition.description ?? "";
    const info: McpToolInfo = {
      name,
      server,
      tool: definition.name,
      description,
      inputSchema,
      definitionSha256: hash,
      approval: approvalOf(connection, definition, hash, remembered),
    };
    const tool: Tool<Record<string, unknown>> = {
      name,
      description: `${description.slice(0, 2000)}${description.length > 2000 ? "…" : ""} (tool "${definition.name}" of the MCP server "${server}")`,
      params: params as unknown as z.ZodType<Record<string, unknown>>,
      inputSchema: inputSchema.type === "object" ? inputSchema : { ...inputSchema, type: "object" },
      readOnly,
      async assess(args) {
        const approval = approvalOf(connection, definition, hash, remembered);
        const asks = approval === "ask" || approval === "always_ask";
        return {
          preview: {
            tool: name,
            summary: `call "${definition.name}" on MCP server "${server}"`,
            targets: [`mcp://${server}/${encodeURIComponent(definition.name)}#definition-sha256=${hash}`],
            diff: approvalDetails(server, definition, args),
          },
          situations: asks ? ["mcp_tool"] : [],
          fingerprint: hash,
          // "always" covers this tool as defined now; always_ask tools never remember.
          ...(approval === "ask" ? { remember: () => remembered.add(server, definition.name, hash) } : {}),
        };
      },
      async execute(args, ctx) {
        const result = await connection.call(definition.name, args, ctx.signal);
        const text = cut(resultText(result), config.max_output_chars);
        const quoted = asUntrustedData(`mcp:${server}/${definition.name}`, text);
        if (result.isError) throw new HobError("E_TOOL", `the MCP tool reported an error:\n${quoted}`);
        return quoted;
      },
    };
    return { tool: tool as unknown as Tool<never>, info };
  });
}

/** Lines of a server's description shown at the prompt: it cannot push the arguments off the screen. */
const DESCRIPTION_LINES = 12;

/**
 * What the human reads before approving: the arguments first (what will really be sent), then
 * the tool's own description (from the server), cut to a few lines so a server cannot bury
 * the arguments under a screenful of text (the prompt shows a bounded number of lines).
 */
function approvalDetails(server: string, definition: McpToolDefinition, args: unknown): string {
  const lines = (definition.description ?? "(no description)").slice(0, 3000).split("\n");
  const shown = lines.slice(0, DESCRIPTION_LINES);
  const argLines = JSON.stringify(args, null, 2).split("\n");
  return [
    `MCP server "${server}", tool "${definition.name}"`,
    "",
    "arguments:",
    ...argLines.slice(0, 40).map((line) => `  ${line}`),
    ...(argLines.length > 40 ? [`  … [${argLines.length - 40} more lines of arguments not shown]`] : []),
    "description (as the server gives it):",
    ...shown.map((line) => `  ${line}`),
    ...(lines.length > shown.length
      ? [
          `  … [${lines.length - shown.length} more lines of description not shown; \`hob mcp tools ${server} --json\` has it all]`,
        ]
      : []),
  ].join("\n");
}

/** A tool result as text: text parts as they are, other parts described (binary content is not passed on). */
export function resultText(result: CallToolResult): string {
  const parts: string[] = [];
  for (const part of result.content ?? []) {
    if (part.type === "text") parts.push(part.text);
    else if (part.type === "image" || part.type === "audio")
      parts.push(`[${part.type} (${part.mimeType}), ${Math.round((part.data.length * 3) / 4)} bytes: not shown]`);
    else if (part.type === "resource_link")
      parts.push(`[resource link: ${part.uri}${part.name ? ` (${part.name})` : ""}]`);
    else if (part.type === "resource") {
      const resource = part.resource as { uri: string; text?: string };
      parts.push(typeof resource.text === "string" ? resource.text : `[resource ${resource.uri}: binary, not shown]`);
    }
  }
  if (parts.length === 0 && result.structuredContent !== undefined)
    parts.push(JSON.stringify(result.structuredContent));
  return parts.join("\n");
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n… [cut by hob: the result was ${text.length} characters; only the first ${max} are shown]`;
}
