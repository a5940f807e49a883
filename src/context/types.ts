/** What a source is asked for: the task in the user's words and the agent that will run it. */
export interface ContextQuery {
  task: string;
  agent: string;
  signal?: AbortSignal;
}

/** One thing the model may be told, e.g. one skill or one remembered fact. */
export interface ContextPiece {
  /** The source's name. */
  source: string;
  /** The section it renders under; budgets are per section. */
  section: string;
  /** Unique within its section; reports name pieces by it. */
  id: string;
  /** One or more lines, rendered as they are. */
  text: string;
  /** Its cost: estimateTokens(text), or a higher count (never lower: budgets err high). */
  tokens: number;
  /** Higher is more relevant; only compared within a section. */
  score: number;
}

/** Where pieces come from. Every piece it gathers is in its section. */
export interface ContextSource {
  name: string;
  section: string;
  /** The line its section starts with, e.g. "Relevant skills:". */
  heading: string;
  /** A line after the section's pieces, e.g. how to use them. */
  footer?: string;
  gather(query: ContextQuery): Promise<ContextPiece[]> | ContextPiece[];
}

/** How a section looks; sources give it, packContext uses it. */
export interface SectionLayout {
  heading: string;
  footer?: string;
}

/**
 * Token budgets: `total` caps everything; `sections` caps each named section. A section not
 * named there is capped by `total` alone. Sections fill in this order (the named ones, then
 * the others as their pieces first appear), so an earlier section wins when `total` is short.
 */
export interface ContextBudget {
  total: number;
  sections: Record<string, number>;
}

export interface PackedSection {
  section: string;
  /** Tokens its rendering costs, heading and footer included. */
  used: number;
  budget: number;
  /** Ids, in the order they are rendered (most relevant first). */
  included: string[];
  /** Ids left out for want of room, most relevant first. */
  dropped: string[];
}

export interface PackedContext {
  /**
   * Ready to append to a system prompt: each non-empty section as "\n\n<heading>\n<pieces,
   * one per line>\n<footer>". Empty when nothing fits or nothing was gathered.
   */
  text: string;
  /** The budget's count of `text` (an upper bound of estimateTokens(text)). */
  tokens: number;
  sections: PackedSection[];
  /** Each non-empty section's part of `text`, in order: `text` is their concatenation. */
  sectionTexts: Record<string, string>;
}

/** A source that failed: it contributed nothing, and says why. */
export interface ContextWarning {
  source: string;
  code: string;
  message: string;
}

export interface GatheredContext extends PackedContext {
  warnings: ContextWarning[];
}
