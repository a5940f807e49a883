import { join } from "node:path";
import { managedRepoPath, parseYaml, readOptional } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { type BaseAgent, createAgent } from "./base-agent.js";
import { type AgentDefinition, BUILT_IN_AGENTS_DIR, parseDefinition, yamlFilesIn } from "./definition.js";

/**
 * Agents by name: hob's built-in YAML first, then the user's `$HOB_HOME/agents/*.yaml`, then
 * the managed repository's `agents/*.yaml` (hob's approved self-changes); each adds new agents
 * or overrides earlier ones of the same name (the last wins). `load` reads the folders each
 * time: a registry loaded again sees changes without a restart.
 */
export class AgentRegistry {
  private readonly definitions = new Map<string, AgentDefinition>();

  private constructor() {}

  static load(home: string, builtInDir = BUILT_IN_AGENTS_DIR): AgentRegistry {
    const registry = new AgentRegistry();
    const files = [
      ...yamlFilesIn(builtInDir),
      ...yamlFilesIn(join(home, "agents")),
      ...yamlFilesIn(join(managedRepoPath(home), "agents")),
    ];
    for (const file of files) {
      const text = readOptional(file) ?? "";
      const { value, locate } = parseYaml(text, file);
      const definition = parseDefinition(value, file, locate);
      registry.definitions.set(definition.name, definition);
    }
    return registry;
  }

  list(): AgentDefinition[] {
    return [...this.definitions.values()];
  }

  definition(name: string): AgentDefinition {
    const definition = this.definitions.get(name);
    if (!definition) {
      throw new HobError("E_USAGE", `There is no agent named "${name}".`, {
        hint: `Known agents: ${[...this.definitions.keys()].join(", ")} (\`hob agents list\`).`,
      });
    }
    return definition;
  }

  /** The agent of that name; an unknown name is a usage error (a user typed it). */
  agent(name: string): BaseAgent {
    return createAgent(this.definition(name));
  }

  /** The agent routing picked; if a user removed it, the general agent takes the task. */
  forRoute(name: string): BaseAgent {
    return createAgent(this.definitions.get(name) ?? this.definition("general"));
  }
}
