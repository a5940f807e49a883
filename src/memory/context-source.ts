import { type ContextPiece, type ContextSource, contextPiece } from "../context/index.js";
import { HobError } from "../errors/index.js";
import type { MemoryKind } from "../store/index.js";
import type { Memory } from "./service.js";
import type { Recalled } from "./types.js";

const PAST_TASKS_HEADING = "Similar tasks from before, and how they went (learn from what worked; avoid what failed):";
const FACTS_HEADING = "What the user asked you to remember (use it where it applies):";

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function render(item: Recalled): string {
  const when = day(item.createdAt);
  if (item.kind === "task") {
    const how = item.success === null ? "" : item.success ? ", succeeded" : ", failed";
    return `- (${when}${how}) ${item.text.replace(/\n/g, "\n  ")}`;
  }
  return `- (${when}) ${item.text.replace(/\n/g, "\n  ")}`;
}

function memorySource(
  memory: Memory,
  options: { name: string; section: string; heading: string; kinds: MemoryKind[]; k: number },
  onRecalled?: (section: string, items: Recalled[]) => void,
): ContextSource {
  return {
    name: options.name,
    section: options.section,
    heading: options.heading,
    async gather({ task }): Promise<ContextPiece[]> {
      if (options.k === 0 || task.trim().length === 0) return [];
      const { items, warnings } = await memory.search(task, { k: options.k, kinds: options.kinds });
      // Full-text recall still answered when vectors did not: only an empty result with a warning is a failure.
      const w = warnings[0];
      if (items.length === 0 && w) throw new HobError("E_UNAVAILABLE", w.message, w.hint ? { hint: w.hint } : {});
      onRecalled?.(options.section, items);
      return items.map((item) =>
        contextPiece({
          source: options.name,
          section: options.section,
          id: item.id,
          text: render(item),
          score: item.score,
        }),
      );
    },
  };
}

/**
 * Memory as two context sources, each with its own section and budget: similar past tasks
 * (with their outcomes) and what the user told hob to remember. Ranked by the hybrid search;
 * the budget then keeps the best that fit, whole.
 */
export function memoryContextSources(
  memory: Memory,
  limits: { pastTasks: number; facts: number },
  onRecalled?: (section: string, items: Recalled[]) => void,
): ContextSource[] {
  return [
    memorySource(
      memory,
      { name: "memory", section: "past_tasks", heading: PAST_TASKS_HEADING, kinds: ["task"], k: limits.pastTasks },
      onRecalled,
    ),
    memorySource(
      memory,
      { name: "memory", section: "facts", heading: FACTS_HEADING, kinds: ["fact", "note"], k: limits.facts },
      onRecalled,
    ),
  ];
}
