import { estimateTokens } from "./estimate.js";
import type { ContextBudget, ContextPiece, PackedContext, PackedSection, SectionLayout } from "./types.js";

const SEPARATOR = "\n";

/**
 * Fits pieces into the budget. Within a section, pieces are ranked by score (ties keep the
 * order they came in) and taken greedily: one that does not fit is dropped and the next,
 * smaller ones are still tried. A section's heading and footer count against its budget once
 * it holds a piece. The same input always packs the same way.
 *
 * Every part is counted on its own (heading, each piece, each line break, footer), and
 * estimateTokens of a text is never more than the sum over such parts, so
 * estimateTokens(result.text) <= result.tokens <= budget.total.
 */
export function packContext(
  pieces: readonly ContextPiece[],
  budget: ContextBudget,
  layouts: Readonly<Record<string, SectionLayout>> = {},
): PackedContext {
  const bySection = new Map<string, ContextPiece[]>();
  for (const name of Object.keys(budget.sections)) bySection.set(name, []);
  for (const piece of pieces) {
    const list = bySection.get(piece.section) ?? [];
    list.push(piece);
    bySection.set(piece.section, list);
  }

  let total = 0;
  let text = "";
  const sectionTexts: Record<string, string> = {};
  const sections: PackedSection[] = [];
  for (const [section, list] of bySection) {
    const own = Object.hasOwn(budget.sections, section) ? budget.sections[section] : undefined;
    const limit = Math.min(own ?? budget.total, budget.total);
    const layout = layouts[section] ?? { heading: `${section}:` };
    const overhead =
      estimateTokens(`\n\n${layout.heading}\n`) + (layout.footer ? estimateTokens(`\n${layout.footer}`) : 0);
    const ranked = list
      .map((piece, index) => ({ piece, index, score: Number.isNaN(piece.score) ? -Infinity : piece.score }))
      .sort((a, b) => (a.score > b.score ? -1 : a.score < b.score ? 1 : a.index - b.index))
      .map(({ piece }) => piece);
    let used = 0;
    const included: ContextPiece[] = [];
    const dropped: string[] = [];
    for (const piece of ranked) {
      const cost = pieceCost(piece) + (included.length === 0 ? overhead : estimateTokens(SEPARATOR));
      if (used + cost <= limit && total + cost <= budget.total) {
        included.push(piece);
        used += cost;
        total += cost;
      } else dropped.push(piece.id);
    }
    if (included.length > 0) {
      const rendered = `\n\n${layout.heading}\n${included.map((p) => p.text).join(SEPARATOR)}${
        layout.footer ? `\n${layout.footer}` : ""
      }`;
      sectionTexts[section] = rendered;
      text += rendered;
    }
    sections.push({
      section,
      used,
      budget: own ?? budget.total,
      included: included.map((p) => p.id),
      dropped,
    });
  }
  return { text, tokens: total, sections, sectionTexts };
}

/** A piece's own count, unless it is missing or below the estimate (budgets err high). */
function pieceCost(piece: ContextPiece): number {
  const estimate = estimateTokens(piece.text);
  return Number.isFinite(piece.tokens) && piece.tokens > estimate ? Math.ceil(piece.tokens) : estimate;
}
