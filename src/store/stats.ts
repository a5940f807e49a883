import type Database from "better-sqlite3";

export interface TokenTotals {
  calls: number;
  failed_calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
}

export interface ModelStats extends TokenTotals {
  provider: string;
  model: string;
}

export interface TierStats extends TokenTotals {
  tier: string;
  tasks: number;
  succeeded: number;
  success_rate: number | null;
}

export interface Stats {
  since: string | null;
  tasks: {
    total: number;
    succeeded: number;
    failed: number;
    cancelled: number;
    interrupted: number;
    running: number;
    success_rate: number | null;
  };
  totals: TokenTotals;
  by_model: ModelStats[];
  by_tier: TierStats[];
}

const TOTALS_SQL = `COUNT(c.id) AS calls,
  COALESCE(SUM(CASE WHEN c.ok = 0 THEN 1 ELSE 0 END), 0) AS failed_calls,
  COALESCE(SUM(c.input_tokens), 0) AS input_tokens,
  COALESCE(SUM(c.output_tokens), 0) AS output_tokens,
  COALESCE(SUM(c.cache_read_tokens), 0) AS cache_read_tokens,
  COALESCE(SUM(c.cache_write_tokens), 0) AS cache_write_tokens,
  COALESCE(SUM(c.cost_usd), 0) AS cost_usd`;

function rate(succeeded: number, finished: number): number | null {
  return finished === 0 ? null : Math.round((succeeded / finished) * 1000) / 1000;
}

/** Aggregates over tasks and model calls since a moment (ms epoch), or all time. */
export function computeStats(db: Database.Database, sinceMs: number | null): Stats {
  const since = sinceMs ?? 0;
  const counts = db
    .prepare(
      `SELECT COUNT(*) AS total,
         COALESCE(SUM(status = 'succeeded'), 0) AS succeeded, COALESCE(SUM(status = 'failed'), 0) AS failed,
         COALESCE(SUM(status = 'cancelled'), 0) AS cancelled, COALESCE(SUM(status = 'interrupted'), 0) AS interrupted,
         COALESCE(SUM(status = 'running'), 0) AS running
       FROM tasks WHERE created_at >= ?`,
    )
    .get(since) as Omit<Stats["tasks"], "success_rate">;
  const finished = counts.total - counts.running;
  const totals = db
    .prepare(`SELECT ${TOTALS_SQL} FROM model_calls c WHERE c.created_at >= ?`)
    .get(since) as TokenTotals;
  const byModel = db
    .prepare(
      `SELECT c.provider, c.model, ${TOTALS_SQL} FROM model_calls c WHERE c.created_at >= ?
       GROUP BY c.provider, c.model ORDER BY cost_usd DESC, calls DESC`,
    )
    .all(since) as ModelStats[];
  const byTier = db
    .prepare(
      `SELECT t.tier AS tier, COUNT(DISTINCT t.id) AS tasks,
         COUNT(DISTINCT CASE WHEN t.status = 'succeeded' THEN t.id END) AS succeeded,
         COUNT(DISTINCT CASE WHEN t.status != 'running' THEN t.id END) AS finished, ${TOTALS_SQL}
       FROM tasks t LEFT JOIN model_calls c ON c.task_id = t.id
       WHERE t.created_at >= ? AND t.tier IS NOT NULL GROUP BY t.tier ORDER BY t.tier`,
    )
    .all(since) as Array<TierStats & { finished: number }>;
  return {
    since: sinceMs === null ? null : new Date(sinceMs).toISOString(),
    tasks: { ...counts, success_rate: rate(counts.succeeded, finished) },
    totals,
    by_model: byModel,
    by_tier: byTier.map(({ finished: tierFinished, ...tier }) => ({
      ...tier,
      success_rate: rate(tier.succeeded, tierFinished),
    })),
  };
}
