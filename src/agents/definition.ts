import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { AGENT_BASES, APPROVAL_LEVELS, TIERS } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { TOOL_NAMES } from "../tools/index.js";

/** hob's own agents ship as YAML here; `$HOB_HOME/agents/*.yaml` adds or overrides by name. */
export const BUILT_IN_AGENTS_DIR = fileURLToPath(new URL("../../agents/", import.meta.url));

/** Enough to describe an agent's tasks; more only slows routing down. */
export const MAX_EXAMPLES = 50;

const toolEntry = z.union([
  z.enum(TOOL_NAMES as [string, ...string[]]),
  z
    .object({
      name: z.enum(TOOL_NAMES as [string, ...string[]]),
      /** Every call of a sensitive tool asks a human first (approvals.sensitive). */
      sensitive: z.boolean().default(false),
    })
    .strict(),
]);

export const agentDefinitionSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, "use lowercase letters, digits and dashes"),
    description: z.string().min(1),
    /** Which built-in behaviour it builds on (how its result is validated). */
    base: z.enum(AGENT_BASES).default("general"),
    tier: z.enum(TIERS),
    /**
     * Tasks this agent is for, in the user's own words: routing picks the agent for a task similar
     * enough to one of them (`routing.agent_match_threshold`), and shows them to the local classifier.
     */
    examples: z.array(z.string().trim().min(1, "an example must not be empty").max(500)).max(MAX_EXAMPLES).default([]),
    system_prompt: z.string().min(1),
    tools: z.array(toolEntry).default([]),
    max_steps: z.number().int().min(1).max(100).default(10),
    /**
     * MCP servers (names under hob.yaml's mcp_servers) whose tools this agent sees; "*" is
     * every enabled server. None by default: a server's tools reach only agents that ask for them.
     */
    mcp: z.array(z.string().min(1)).default([]),
    /** Per-tool approval overrides; they can only tighten the policy (deny > ask > allow). */
    approval: z.record(z.enum(TOOL_NAMES as [string, ...string[]]), z.enum(APPROVAL_LEVELS)).default({}),
  })
  .strict();

export type AgentDefinitionInput = z.input<typeof agentDefinitionSchema>;

export interface AgentDefinition {
  name: string;
  description: string;
  base: (typeof AGENT_BASES)[number];
  tier: (typeof TIERS)[number];
  /** Example tasks routing matches against; empty when the YAML has none (routing then never picks it by them). */
  examples: string[];
  systemPrompt: string;
  tools: string[];
  sensitiveTools: Set<string>;
  maxSteps: number;
  /** MCP servers whose tools it sees (none unless its YAML lists them; "*" is all). */
  mcp: string[];
  approval: Record<string, (typeof APPROVAL_LEVELS)[number]>;
  /** Where it was defined. */
  source: string;
}

/** Validates one parsed YAML definition; errors name the file, line and field. */
export function parseDefinition(
  value: unknown,
  file: string,
  locate: (path: ReadonlyArray<PropertyKey>, key?: string) => string,
): AgentDefinition {
  const result = agentDefinitionSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    if (issue.code === "unrecognized_keys") {
      const key = issue.keys[0] ?? "";
      throw new HobError(
        "E_CONFIG",
        `${file}${locate(issue.path, key)}: unknown field \`${[...issue.path, key].join(".")}\`.`,
        {
          hint: "Fields: name, description, base, tier, examples, system_prompt, tools, max_steps, mcp, approval.",
        },
      );
    }
    throw new HobError(
      "E_CONFIG",
      `${file}${locate(issue.path)}: \`${issue.path.join(".") || "(top level)"}\`: ${issue.message}.`,
      {
        hint: `Fix that field. Tools: ${TOOL_NAMES.join(", ")}. Tiers: ${TIERS.join(", ")}.`,
      },
    );
  }
  const data = result.data;
  return {
    name: data.name,
    description: data.description,
    base: data.base,
    tier: data.tier,
    examples: data.examples,
    systemPrompt: data.system_prompt,
    tools: data.tools.map((t) => (typeof t === "string" ? t : t.name)),
    sensitiveTools: new Set(data.tools.flatMap((t) => (typeof t !== "string" && t.sensitive ? [t.name] : []))),
    maxSteps: data.max_steps,
    mcp: data.mcp,
    approval: data.approval,
    source: file,
  };
}

export function yamlFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
      .sort()
      .map((name) => join(dir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
