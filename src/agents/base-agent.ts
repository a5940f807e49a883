import { lintSource } from "../tools/index.js";
import type { AgentDefinition } from "./definition.js";
import type { ToolContext } from "./seams.js";
import { type LoopDeps, type LoopEvent, type LoopOutcome, type LoopState, runToolLoop } from "./tool-loop.js";

export interface AgentResult {
  text: string;
}

export interface Validation {
  ok: boolean;
  reason?: string;
}

/**
 * An agent: a YAML definition (prompt, tools, tier, step limit, approval overrides)
 * plus the behaviour of its base kind, which decides whether a result is acceptable.
 */
export abstract class BaseAgent {
  constructor(readonly definition: AgentDefinition) {}

  get name(): string {
    return this.definition.name;
  }

  /** Runs (or resumes) the tool loop until an answer, a pause for approval, or a failure; yields its events. */
  execute(state: LoopState, deps: LoopDeps): AsyncGenerator<LoopEvent, LoopOutcome> {
    return runToolLoop(this.definition, state, deps);
  }

  /** Whether the result is acceptable, judged by what the task did (`tools`: its files, sources). */
  abstract validateResult(result: AgentResult, tools: ToolContext): Promise<Validation>;
}

class GeneralAgent extends BaseAgent {
  async validateResult(result: AgentResult): Promise<Validation> {
    return result.text.trim() ? { ok: true } : { ok: false, reason: "the answer is empty" };
  }
}

class FileOpsAgent extends GeneralAgent {}

/** Code is done when every file it wrote lints clean. */
class CodeAgent extends BaseAgent {
  async validateResult(result: AgentResult, tools: ToolContext): Promise<Validation> {
    const failing: string[] = [];
    for (const path of tools.written) {
      const content = await tools.fs.readFile(path).catch(() => undefined);
      if (content === undefined) continue; // moved or deleted since
      const lint = await lintSource(path, content);
      if (lint && !lint.ok) {
        const first = lint.diagnostics.find((d) => d.severity === "error");
        failing.push(`${path}:${first?.line}: ${first?.message}`);
      }
    }
    if (failing.length > 0) return { ok: false, reason: `lint still fails: ${failing.join("; ")}` };
    return result.text.trim() || tools.written.size > 0
      ? { ok: true }
      : { ok: false, reason: "nothing was written or said" };
  }
}

/** Research is done when the answer cites at least one source the agent actually used. */
class ResearchAgent extends BaseAgent {
  async validateResult(result: AgentResult, tools: ToolContext): Promise<Validation> {
    const cited = [...tools.sources].filter((url) => result.text.includes(url));
    return cited.length > 0
      ? { ok: true }
      : { ok: false, reason: "the answer cites no source the agent searched or read" };
  }
}

const KINDS = { general: GeneralAgent, fileops: FileOpsAgent, code: CodeAgent, research: ResearchAgent };

export function createAgent(definition: AgentDefinition): BaseAgent {
  return new KINDS[definition.base](definition);
}
