import { HobError, toHobError } from "../errors/index.js";
import { packContext } from "./pack.js";
import type {
  ContextBudget,
  ContextPiece,
  ContextQuery,
  ContextSource,
  ContextWarning,
  GatheredContext,
  SectionLayout,
} from "./types.js";

/**
 * Asks every source at once, then packs what they gave. A source that throws (or rejects)
 * contributes nothing and is named in `warnings` with its error: the task goes on without it,
 * and the caller can say so. A cancelled query throws E_CANCELLED rather than pack half.
 */
export async function gatherContext(
  sources: readonly ContextSource[],
  query: ContextQuery,
  budget: ContextBudget,
): Promise<GatheredContext> {
  const warnings: ContextWarning[] = [];
  const results = await Promise.allSettled(sources.map(async (source) => source.gather(query)));
  if (query.signal?.aborted)
    throw new HobError("E_CANCELLED", "The task was cancelled while its context was gathered.");
  const pieces: ContextPiece[] = [];
  results.forEach((result, i) => {
    const source = sources[i] as ContextSource;
    if (result.status === "rejected") {
      const error = toHobError(result.reason);
      warnings.push({ source: source.name, code: error.code, message: error.message });
    } else if (!Array.isArray(result.value)) {
      warnings.push({ source: source.name, code: "E_INTERNAL", message: `${source.name} gave no list of pieces.` });
    } else pieces.push(...result.value);
  });
  return { ...packContext(pieces, budget, layoutsOf(sources)), warnings };
}

/** Each section's heading and footer, from the first source that names the section. */
export function layoutsOf(sources: readonly ContextSource[]): Record<string, SectionLayout> {
  const layouts: Record<string, SectionLayout> = {};
  for (const source of sources) {
    if (layouts[source.section]) continue;
    layouts[source.section] =
      source.footer === undefined ? { heading: source.heading } : { heading: source.heading, footer: source.footer };
  }
  return layouts;
}
