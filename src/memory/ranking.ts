/**
 * How recall ranks: reciprocal rank fusion of the full-text and the vector rankings (each
 * list contributes 1 / (RRF_K + rank), so neither score scale has to be calibrated against
 * the other), then re-weighted by recency (exponential decay with a half-life) and outcome
 * (a past task that succeeded is worth more than one that failed), then near-duplicates are
 * dropped, keeping the better-ranked one. Pure functions: the service gathers, this decides.
 */

export const RRF_K = 60;

export interface Candidate {
  id: string;
  text: string;
  createdAt: number;
  /** true / false for tasks, null for facts and notes. */
  success: boolean | null;
  /** 1-based rank in the full-text list and its BM25 (SQLite's: lower is better), if there. */
  ftsRank?: number;
  bm25?: number;
  /** 1-based rank in the vector list and its cosine similarity, if there. */
  vectorRank?: number;
  cosine?: number;
}

export interface Signals {
  rrf: number;
  fts_rank: number | null;
  bm25: number | null;
  vector_rank: number | null;
  cosine: number | null;
  /** 1 today, 0.5 at one half-life, … */
  recency: number;
  /** The outcome multiplier: above 1 succeeded, below 1 failed, 1 for facts and notes. */
  outcome: number;
}

export interface Ranked {
  id: string;
  score: number;
  signals: Signals;
}

export interface RankOptions {
  now: number;
  halfLifeDays: number;
  /** How much recency can move a score: 0 ignores it, 1 lets it take all of an old memory's score. */
  recencyWeight?: number;
  /** The fusion's rank offset (smaller: the top ranks of each list count for more). */
  rrfK?: number;
  /** Multipliers for a past task that succeeded or failed (facts and notes: 1). */
  outcome?: { succeeded: number; failed: number };
}

/**
 * Chosen with bench/memory-retrieval.ts on the labelled set (so optimistic: no held-out split):
 * a small fusion offset (10, not the usual 60) keeps the ranks of the two lists apart enough
 * that the gentle recency and outcome weights reorder near-ties only. Heavier weights
 * (recency 0.3, outcome 1.15/0.7) cost 8 points of Recall@5 there.
 */
export const RANKING_DEFAULTS = { recencyWeight: 0.1, rrfK: 10, outcome: { succeeded: 1.05, failed: 0.9 } };

export function rankCandidates(candidates: Candidate[], options: RankOptions): Ranked[] {
  const recencyWeight = options.recencyWeight ?? RANKING_DEFAULTS.recencyWeight;
  const k = options.rrfK ?? RANKING_DEFAULTS.rrfK;
  const OUTCOME = { ...(options.outcome ?? RANKING_DEFAULTS.outcome), none: 1 };
  const ranked = candidates.map((c): Ranked & { text: string } => {
    const rrf = (c.ftsRank ? 1 / (k + c.ftsRank) : 0) + (c.vectorRank ? 1 / (k + c.vectorRank) : 0);
    const ageDays = Math.max(0, options.now - c.createdAt) / 86_400_000;
    const recency = 0.5 ** (ageDays / options.halfLifeDays);
    const outcome = c.success === null ? OUTCOME.none : c.success ? OUTCOME.succeeded : OUTCOME.failed;
    const score = rrf * (1 - recencyWeight + recencyWeight * recency) * outcome;
    return {
      id: c.id,
      text: c.text,
      score,
      signals: {
        rrf: round(rrf),
        fts_rank: c.ftsRank ?? null,
        bm25: c.bm25 === undefined ? null : round(c.bm25),
        vector_rank: c.vectorRank ?? null,
        cosine: c.cosine === undefined ? null : round(c.cosine),
        recency: round(recency),
        outcome: round(outcome),
      },
    };
  });
  ranked.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  const kept: Array<Ranked & { text: string }> = [];
  const seen = new Set<string>();
  for (const r of ranked) {
    const key = dedupeKey(r.text);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(r);
  }
  return kept.map(({ text: _text, ...r }) => ({ ...r, score: round(r.score) }));
}

/** Texts that differ only in case, spacing and punctuation are one memory. */
export function dedupeKey(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
