import type Database from "better-sqlite3";
import { PICO_PER_USD, STATS_BUCKET_MS } from "./migrations.js";

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

/** A group of tasks with the same tier, status and routing flags, and the totals of their calls. */
interface TaskPart {
  has_tier: number;
  tier: string;
  status: string;
  escalated: number;
  fallback: number;
  tasks: number;
  /** Tasks with at least one call of unknown cost. */
  unknown_tasks: number;
  failed_calls: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_pico: bigint;
  cost_unknown_calls: number;
}

/** A group of model calls with the same provider, model, outcome, purpose and origin. */
interface CallPart {
  provider: string;
  model: string;
  ok: number;
  purpose: string;
  local: number;
  cached: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_pico: bigint;
  cost_unknown_calls: number;
}

const PICO = `CAST(ROUND(c.cost_usd * ${PICO_PER_USD}) AS INTEGER)`;
const CALL_SUMS_SQL = `COALESCE(SUM(c.input_tokens), 0) AS input_tokens, COALESCE(SUM(c.output_tokens), 0) AS output_tokens,
  COALESCE(SUM(c.cache_read_tokens), 0) AS cache_read_tokens, COALESCE(SUM(c.cache_write_tokens), 0) AS cache_write_tokens,
  COALESCE(SUM(${PICO}), 0) AS cost_pico, COALESCE(SUM(c.cost_unknown), 0) AS cost_unknown_calls`;
const TASK_GROUP_SQL = `t.tier IS NOT NULL AS has_tier, COALESCE(t.tier, '') AS tier, t.status AS status,
  t.escalated_from IS NOT NULL AS escalated, t.fallback IS NOT NULL AS fallback`;
const SUMMED = (columns: string[]) => columns.map((c) => `SUM(${c}) AS ${c}`).join(", ");
const SUM_COLUMNS = [
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "cost_pico",
  "cost_unknown_calls",
];

/** Reads rows with 64-bit integers as BigInt (costs in picodollars), the counts as numbers. */
function rows<T extends { cost_pico: bigint }>(statement: Database.Statement, ...params: unknown[]): T[] {
  return (statement.safeIntegers(true).all(...params) as Array<Record<string, unknown>>).map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      out[key] = typeof value === "bigint" && key !== "cost_pico" ? Number(value) : value;
    }
    out.cost_pico = BigInt(out.cost_pico as bigint | number);
    return out as T;
  });
}

/** Tasks created in [from, to), grouped, each group with all its tasks' calls (made whenever). */
function taskPartsFromHistory(db: Database.Database, from: number, to: number): TaskPart[] {
  return rows<TaskPart>(
    db.prepare(
      `SELECT ${TASK_GROUP_SQL}, COUNT(DISTINCT t.id) AS tasks,
         COUNT(DISTINCT CASE WHEN c.cost_unknown = 1 THEN t.id END) AS unknown_tasks,
         COALESCE(SUM(c.ok = 0), 0) AS failed_calls, COUNT(c.id) AS calls, ${CALL_SUMS_SQL}
       FROM tasks t LEFT JOIN model_calls c ON c.task_id = t.id
       WHERE t.created_at >= ? AND t.created_at < ? GROUP BY 1, 2, 3, 4, 5`,
    ),
    from,
    to,
  );
}

/** Model calls made in [from, to), grouped. */
function callPartsFromHistory(db: Database.Database, from: number, to: number): CallPart[] {
  return rows<CallPart>(
    db.prepare(
      `SELECT c.provider, c.model, c.ok, c.purpose, c.local, c.cached, COUNT(*) AS calls, ${CALL_SUMS_SQL}
       FROM model_calls c WHERE c.created_at >= ? AND c.created_at < ? GROUP BY 1, 2, 3, 4, 5, 6`,
    ),
    from,
    to,
  );
}

/** The same groups from the summary tables (migration 11), for whole days from `bucket` on. */
function partsFromSummary(db: Database.Database, bucket: number): { tasks: TaskPart[]; calls: CallPart[] } {
  const tasks = rows<TaskPart>(
    db.prepare(
      `SELECT has_tier, tier, status, escalated, fallback,
         ${SUMMED(["tasks", "unknown_tasks", "failed_calls", "calls", ...SUM_COLUMNS])}
       FROM stats_tasks WHERE bucket >= ? GROUP BY 1, 2, 3, 4, 5`,
    ),
    bucket,
  );
  const calls = rows<CallPart>(
    db.prepare(
      `SELECT provider, model, ok, purpose, local, cached, ${SUMMED(["calls", ...SUM_COLUMNS])}
       FROM stats_calls WHERE bucket >= ? GROUP BY 1, 2, 3, 4, 5, 6`,
    ),
    bucket,
  );
  return { tasks, calls };
}

function hasSummary(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stats_tasks'").get() !== undefined;
}

function rate(succeeded: number, finished: number): number | null {
  return finished === 0 ? null : Math.round((succeeded / finished) * 1000) / 1000;
}

type Totals = Omit<TokenTotals, "cost_usd"> & { cost_pico: bigint };

function emptyTotals(): Totals {
  return {
    calls: 0,
    failed_calls: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_pico: 0n,
    cost_unknown_calls: 0,
  };
}

function addTotals(into: Totals, part: Omit<Totals, "failed_calls">, failed: number): void {
  into.calls += part.calls;
  into.failed_calls += failed;
  into.input_tokens += part.input_tokens;
  into.output_tokens += part.output_tokens;
  into.cache_read_tokens += part.cache_read_tokens;
  into.cache_write_tokens += part.cache_write_tokens;
  into.cost_pico += part.cost_pico;
  into.cost_unknown_calls += part.cost_unknown_calls;
}

/** The printed totals, keys in the order hob has always printed them. */
function tokenTotals(t: Totals): TokenTotals {
  return {
    calls: t.calls,
    failed_calls: t.failed_calls,
    input_tokens: t.input_tokens,
    output_tokens: t.output_tokens,
    cache_read_tokens: t.cache_read_tokens,
    cache_write_tokens: t.cache_write_tokens,
    cost_usd: Number(t.cost_pico) / PICO_PER_USD,
    cost_unknown_calls: t.cost_unknown_calls,
  };
}

/** Stats from grouped tasks and calls (from the summary, the raw history, or both). */
function summarise(
  taskParts: TaskPart[],
  callParts: CallPart[],
  sinceMs: number | null,
  price: CounterfactualPrice | undefined,
): Stats {
  const counts = { total: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0, running: 0, awaiting_approval: 0 };
  let unknownTasks = 0;
  let escalations = 0;
  let fallbacks = 0;
  const tiers = new Map<string, { tasks: number; succeeded: number; finished: number; totals: Totals }>();
  for (const part of taskParts) {
    counts.total += part.tasks;
    if (part.status in counts && part.status !== "total") counts[part.status as keyof typeof counts] += part.tasks;
    unknownTasks += part.unknown_tasks;
    if (part.escalated) escalations += part.tasks;
    if (part.fallback) fallbacks += part.tasks;
    if (!part.has_tier) continue;
    const tier = tiers.get(part.tier) ?? { tasks: 0, succeeded: 0, finished: 0, totals: emptyTotals() };
    tier.tasks += part.tasks;
    if (part.status === "succeeded") tier.succeeded += part.tasks;
    if (part.status !== "running" && part.status !== "awaiting_approval") tier.finished += part.tasks;
    addTotals(tier.totals, part, part.failed_calls);
    tiers.set(part.tier, tier);
  }
  const totals = emptyTotals();
  const models = new Map<string, { provider: string; model: string; totals: Totals }>();
  const split = () => ({ calls: 0, input_tokens: 0, output_tokens: 0 });
  const local = split();
  const cloud = split();
  const cached = split();
  let routerCalls = 0;
  for (const part of callParts) {
    const failed = part.ok === 0 ? part.calls : 0;
    addTotals(totals, part, failed);
    const key = JSON.stringify([part.provider, part.model]);
    const model = models.get(key) ?? { provider: part.provider, model: part.model, totals: emptyTotals() };
    addTotals(model.totals, part, failed);
    models.set(key, model);
    if (part.purpose !== "answer") routerCalls += part.calls;
    if (part.ok !== 1 || part.purpose !== "answer") continue;
    const into = part.cached === 1 ? cached : part.local === 1 ? local : cloud;
    into.calls += part.calls;
    into.input_tokens += part.input_tokens + part.cache_read_tokens + part.cache_write_tokens;
    into.output_tokens += part.output_tokens;
  }
  const byModel = [...models.values()]
    .filter((m) => m.totals.calls > 0)
    .sort(
      (a, b) =>
        (a.totals.cost_pico === b.totals.cost_pico ? 0 : a.totals.cost_pico > b.totals.cost_pico ? -1 : 1) ||
        b.totals.calls - a.totals.calls ||
        compare(a.provider, b.provider) ||
        compare(a.model, b.model),
    )
    .map((m) => ({ provider: m.provider, model: m.model, ...tokenTotals(m.totals) }));
  const byTier = [...tiers.entries()]
    .filter(([, t]) => t.tasks > 0)
    .sort(([a], [b]) => compare(a, b))
    .map(([tier, t]) => ({
      tier,
      tasks: t.tasks,
      succeeded: t.succeeded,
      ...tokenTotals(t.totals),
      success_rate: rate(t.succeeded, t.finished),
    }));
  // Running and paused tasks have no outcome yet: they do not count for or against the rate.
  const finished = counts.total - counts.running - counts.awaiting_approval;
  return {
    since: sinceMs === null ? null : new Date(sinceMs).toISOString(),
    tasks: { ...counts, success_rate: rate(counts.succeeded, finished), cost_unknown: unknownTasks },
    totals: tokenTotals(totals),
    by_model: byModel,
    by_tier: byTier,
    routing: routingStats({ local, cloud, cached }, escalations, fallbacks, routerCalls, price),
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function routingStats(
  splits: { local: TokenSplit; cloud: TokenSplit; cached: TokenSplit },
  escalations: number,
  fallbacks: number,
  routerCalls: number,
  price: CounterfactualPrice | undefined,
): RoutingStats {
  const { local, cloud, cached } = splits;
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
    escalations,
    fallbacks,
    router_calls: routerCalls,
    saved_usd: savedUsd,
    counterfactual_model: price?.model ?? null,
  };
}

/**
 * Aggregates over tasks and model calls since a moment (ms epoch), or all time. Costs are summed
 * exactly, in picodollars, and printed in USD. Whole days come from the summary tables that
 * triggers keep (migration 11), so the cost does not grow with the history; the first, partial
 * day of a window is read from the history itself.
 */
export function computeStats(db: Database.Database, sinceMs: number | null, price?: CounterfactualPrice): Stats {
  if (!hasSummary(db)) return computeStatsFromHistory(db, sinceMs, price);
  const since = sinceMs ?? 0;
  const bucket = Math.ceil(since / STATS_BUCKET_MS);
  const edge = bucket * STATS_BUCKET_MS;
  const summary = partsFromSummary(db, bucket);
  return summarise(
    [...taskPartsFromHistory(db, since, edge), ...summary.tasks],
    [...callPartsFromHistory(db, since, edge), ...summary.calls],
    sinceMs,
    price,
  );
}

/** The same figures read from the tasks and calls themselves (what the summary must always agree with). */
export function computeStatsFromHistory(
  db: Database.Database,
  sinceMs: number | null,
  price?: CounterfactualPrice,
): Stats {
  const since = sinceMs ?? 0;
  const end = Number.MAX_SAFE_INTEGER;
  return summarise(taskPartsFromHistory(db, since, end), callPartsFromHistory(db, since, end), sinceMs, price);
}
