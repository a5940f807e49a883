import { HobError } from "../errors/index.js";
import type { Tool } from "./types.js";

/** Where a tool came from: hob itself, a skill, or (later) an MCP server (`mcp:<server>`). */
export type ToolSource = "built-in" | "skill" | `mcp:${string}`;

export interface RegisteredTool {
  tool: Tool<never>;
  source: ToolSource;
}

/**
 * The tools a task may offer a model, by the exact name the model sees. Built-in
 * tools register first; skills and MCP servers register theirs beside them, and the
 * agent loop only ever looks tools up here. A name is registered once: a second tool
 * of the same name is refused, so nothing can quietly replace `write_file`.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, RegisteredTool>();

  register(tool: Tool<never>, source: ToolSource): this {
    const existing = this.tools.get(tool.name);
    if (existing) {
      throw new HobError(
        "E_CONFIG",
        `Two tools are named "${tool.name}" (${existing.source} and ${source}); tool names must be unique.`,
        { hint: "Rename one of them (for an MCP server, its tools are prefixed with the server's name)." },
      );
    }
    this.tools.set(tool.name, { tool, source });
    return this;
  }

  get(name: string): Tool<never> | undefined {
    return this.tools.get(name)?.tool;
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  list(): RegisteredTool[] {
    return [...this.tools.values()];
  }
}
