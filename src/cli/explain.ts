import type { HobEvent } from "../events/index.js";
import type { Store } from "../store/index.js";
import { colorsFor, oneLine } from "./format.js";
import type { CliIO } from "./io.js";
import { safeLine } from "./safe.js";

export interface ExplainedContext {
  tokens: number;
  sections: Array<{
    section: string;
    used: number;
    budget: number;
    included: Array<{ id: string; text?: string }>;
    dropped: Array<{ id: string; text?: string }>;
  }>;
  warnings: Array<{ source: string; code: string; message: string }>;
}

const MEMORY_SECTIONS = new Set(["past_tasks", "facts"]);

/** `hob run --explain`: the packed context with each recalled memory's text beside its id. */
export function explainContext(
  store: Store,
  packed: Extract<HobEvent, { type: "context-packed" }> | undefined,
): ExplainedContext {
  if (!packed) return { tokens: 0, sections: [], warnings: [] };
  const ids = packed.sections
    .filter((s) => MEMORY_SECTIONS.has(s.section))
    .flatMap((s) => [...s.included, ...s.dropped]);
  const memories = store.memories.byIds(ids);
  const withText = (section: string) => (id: string) => {
    const text = MEMORY_SECTIONS.has(section) ? memories.get(id)?.text : undefined;
    return text === undefined ? { id } : { id, text };
  };
  return {
    tokens: packed.tokens,
    sections: packed.sections.map((s) => ({
      section: s.section,
      used: s.used,
      budget: s.budget,
      included: s.included.map(withText(s.section)),
      dropped: s.dropped.map(withText(s.section)),
    })),
    warnings: packed.warnings,
  };
}

export function renderExplanation(io: CliIO, explained: ExplainedContext): string {
  const c = colorsFor(io.stderr, io.env);
  const lines = [c.bold(`context: ${explained.tokens} tokens beyond the agent's prompt`)];
  if (explained.sections.length === 0) lines.push("  (nothing was gathered)");
  for (const s of explained.sections) {
    lines.push(`  ${c.bold(s.section)} ${s.used}/${s.budget} tokens, ${s.included.length} in, ${s.dropped.length} cut`);
    for (const item of s.included)
      lines.push(`    + ${item.id}${item.text ? `  ${safeLine(oneLine(item.text, 90))}` : ""}`);
    for (const item of s.dropped)
      lines.push(c.dim(`    - ${item.id}${item.text ? `  ${safeLine(oneLine(item.text, 90))}` : ""}`));
  }
  for (const w of explained.warnings) lines.push(c.yellow(`  ${w.source} gave nothing: ${safeLine(w.message)}`));
  return `${lines.join("\n")}\n`;
}
