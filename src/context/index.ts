/**
 * The model's extra context at the start of a task: sources (skills today, memory later) each
 * gather pieces for a query, and a token budget decides which of them the model is told.
 * This room depends on nothing else of ours but errors/.
 */
export { checkContextSource } from "./contract.js";
export { contextPiece, estimateTokens } from "./estimate.js";
export { gatherContext, layoutsOf } from "./gather.js";
export { packContext } from "./pack.js";
export type {
  ContextBudget,
  ContextPiece,
  ContextQuery,
  ContextSource,
  ContextWarning,
  GatheredContext,
  PackedContext,
  PackedSection,
  SectionLayout,
} from "./types.js";
