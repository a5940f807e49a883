import type Database from "better-sqlite3";

export interface TokenTotals {
  calls: number;
  failed_calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  /** Calls to a remote model with no known price: left out of cost_usd (unknown, not free). */
  cost_unknown_calls: number;
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

export interface TokenSplit {
  calls: number;
  input_tokens: number;
  output_tokens: number;
}

/** USD per million tokens of the all-cloud counterfactual (the smart tier's prices). */
export interface CounterfactualPrice {
  model: string;
  input: number;
  output: number;
}

export interface RoutingStats {
  /** Successful answer calls, split by where they ran. */
  local: TokenSplit;
  cloud: TokenSplit;
  cached: TokenSplit;
  local_call_share: number | null;
  local_token_share: number | null;
  cache_hits: number;
  escalations: number;
  fallbacks: number;
  /** Classification and self-check calls made by the router, not answers. */
  router_calls: number;
  /** What local and cached tokens would have cost at the counterfactual's prices. */
  saved_usd: number | null;
  counterfactual_model: string | null;
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
    awaiting_approval: number;
    success_rate: number | null;
    /** Tasks with at least one call of unknown cost. */
    cost_unknown: number;
  };
  totals: TokenTotals;
  by_model: ModelStats[];
  by_tier: TierStats[];
  routing: RoutingStats;
}

const TOTALS_SQL = `COUNT(c.id) AS calls,
  COALESCE(SUM(CASE WHEN c.ok = 0 THEN 1 ELSE 0 END), 0) AS failed_calls,
  COALESCE(SUM(c.input_tokens), 0) AS input_tokens,
  COALESCE(SUM(c.output_tokens), 0) AS output_tokens,
  COALESCE(SUM(c.cache_read_tokens), 0) AS cache_read_tokens,
  COALESCE(SUM(c.cache_write_tokens), 0) AS cache_write_tokens,
  COALESCE(SUM(c.cost_usd), 0) AS cost_usd,
  COALESCE(SUM(c.cost_unknown), 0) AS cost_unknown_calls`;

function rate(succeeded: number, finished: number): number | null {
  return finished === 0 ? null : Math.round((succeeded / finished) * 1000) / 1000;
}

function routingStats(db: Database.Database, since: number, price: CounterfactualPrice | undefined): RoutingStats {
  const split = (where: string) =>
    db
      .prepare(
        `SELECT COUNT(*) AS calls, COALESCE(SUM(input_tokens + cache_read_tokens + cache_write_tokens), 0) AS input_tokens,
           COALESCE(SUM(output_tokens), 0) AS output_tokens
         FROM model_calls WHERE created_at >= ? AND ok = 1 AND purpose = 'answer' AND ${where}`,
      )
      .get(since) as TokenSplit;
  const local = split("local = 1 AND cached = 0");
  const cloud = split("local = 0 AND cached = 0");
  const cached = split("cached = 1");
  const tasks = db
    .prepare(
      `SELECT COALESCE(SUM(escalated_from IS NOT NULL), 0) AS escalations, COALESCE(SUM(fallback IS NOT NULL), 0) AS fallbacks
       FROM tasks WHERE created_at >= ?`,
    )
    .get(since) as { escalations: number; fallbacks: number };
  const routerCalls = db
    .prepare("SELECT COUNT(*) AS n FROM model_calls WHERE created_at >= ? AND purpose != 'answer'")
    .get(since) as { n: number };
  const answered = local.calls + cloud.calls + cached.calls;
  const tokens = (t: TokenSplit) => t.input_tokens + t.output_tokens;
  const allTokens = tokens(local) + tokens(cloud) + tokens(cached);
  const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);
  const savedUsd = price
    ? Math.round(
        ((local.input_tokens + cached.input_tokens) * price.input +
          (local.output_tokens + cached.output_tokens) * price.output) *
          1000,
      ) / 1e9
    : null;
  return {
    local,
    cloud,
    cached,
    local_call_share: share(local.calls, answered),
    local_token_share: share(tokens(local), allTokens),
    cache_hits: cached.calls,
    escalations: tasks.escalations,
    fallbacks: tasks.fallbacks,
    router_calls: routerCalls.n,
    saved_usd: savedUsd,
    counterfactual_model: price?.model ?? null,
  };
}

/** Aggregates over tasks and model calls since a moment (ms epoch), or all time. */
export function computeStats(db: Database.Database, sinceMs: number | null, price?: CounterfactualPrice): Stats {
  const since = sinceMs ?? 0;
  const counts = db
    .prepare(
      `SELECT COUNT(*) AS total,
         COALESCE(SUM(status = 'succeeded'), 0) AS succeeded, COALESCE(SUM(status = 'failed'), 0) AS failed,
         COALESCE(SUM(status = 'cancelled'), 0) AS cancelled, COALESCE(SUM(status = 'interrupted'), 0) AS interrupted,
         COALESCE(SUM(status = 'running'), 0) AS running,
         COALESCE(SUM(status = 'awaiting_approval'), 0) AS awaiting_approval
       FROM tasks WHERE created_at >= ?`,
    )
    .get(since) as Omit<Stats["tasks"], "success_rate" | "cost_unknown">;
  const unknownTasks = db
    .prepare(
      `SELECT COUNT(DISTINCT t.id) AS n FROM tasks t JOIN model_calls c ON c.task_id = t.id
       WHERE t.created_at >= ? AND c.cost_unknown = 1`,
    )
    .get(since) as { n: number };
  // Running and paused tasks have no outcome yet: they do not count for or against the rate.
  const finished = counts.total - counts.running - counts.awaiting_approval;
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
         COUNT(DISTINCT CASE WHEN t.status NOT IN ('running', 'awaiting_approval') THEN t.id END) AS finished, ${TOTALS_SQL}
       FROM tasks t LEFT JOIN model_calls c ON c.task_id = t.id
       WHERE t.created_at >= ? AND t.tier IS NOT NULL GROUP BY t.tier ORDER BY t.tier`,
    )
    .all(since) as Array<TierStats & { finished: number }>;
  return {
    since: sinceMs === null ? null : new Date(sinceMs).toISOString(),
    tasks: { ...counts, success_rate: rate(counts.succeeded, finished), cost_unknown: unknownTasks.n },
    totals,
    by_model: byModel,
    by_tier: byTier.map(({ finished: tierFinished, ...tier }) => ({
      ...tier,
      success_rate: rate(tier.succeeded, tierFinished),
    })),
    routing: routingStats(db, since, price),
  };
}
