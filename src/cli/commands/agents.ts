import { type AgentDefinition, AgentRegistry } from "../../agents/index.js";
import { loadConfig } from "../../config/index.js";
import { colorsFor, plural, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

function definitionJson(d: AgentDefinition) {
  return {
    name: d.name,
    description: d.description,
    base: d.base,
    tier: d.tier,
    examples: d.examples,
    tools: d.tools,
    sensitive_tools: [...d.sensitiveTools],
    max_steps: d.maxSteps,
    approval: d.approval,
    source: d.source,
    system_prompt: d.systemPrompt,
  };
}

export async function agentsListCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  const agents = AgentRegistry.load(loadConfig(io.env).paths.home).list();
  if (options.json) writeJson(io, agents.map(definitionJson));
  else {
    const c = colorsFor(io.stdout, io.env);
    io.stdout.write(
      `${table([
        ["NAME", "TIER", "STEPS", "TOOLS", "DESCRIPTION"].map((h) => c.bold(h)),
        ...agents.map((a) => [a.name, a.tier, String(a.maxSteps), a.tools.join(",") || "–", a.description]),
      ])}\n`,
    );
  }
  return 0;
}

export async function agentsShowCommand(io: CliIO, name: string, options: { json: boolean }): Promise<number> {
  const definition = AgentRegistry.load(loadConfig(io.env).paths.home).definition(name);
  if (options.json) writeJson(io, definitionJson(definition));
  else {
    const d = definitionJson(definition);
    io.stdout.write(
      `${d.name} (${d.base}) · tier ${d.tier} · up to ${plural(d.max_steps, "step")} · ${d.source}\n${d.description}\n` +
        `tools: ${d.tools.join(", ") || "none"}${d.sensitive_tools.length ? ` (sensitive: ${d.sensitive_tools.join(", ")})` : ""}\n` +
        `approval overrides: ${
          Object.entries(d.approval)
            .map(([t, l]) => `${t}=${l}`)
            .join(", ") || "none"
        }\n${d.examples.length ? `examples (routing picks this agent for tasks like these):\n${d.examples.map((e) => `  - ${e}`).join("\n")}\n` : ""}\n${d.system_prompt}`,
    );
  }
  return 0;
}
