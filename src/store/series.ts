import type Database from "better-sqlite3";

export type SeriesBucket = "hour" | "day";

export interface SeriesPoint {
  /** Start of the bucket (UTC), ISO 8601. */
  start: string;
  tasks: number;
  succeeded: number;
  failed: number;
  cost_usd: number;
  /** Successful answer calls by where they ran (as the routing totals count them). */
  local_calls: number;
  cloud_calls: number;
  cached_calls: number;
}

const BUCKET_MS: Record<SeriesBucket, number> = { hour: 3_600_000, day: 86_400_000 };

/** At most this many buckets: a year of days, or two weeks of hours. */
export const MAX_SERIES_POINTS = 400;

/**
 * Tasks and model calls per hour or day (UTC) from `sinceMs` up to `nowMs`, every bucket
 * present (zeros where nothing happened) so a chart's x axis is time, not rows.
 */
export function computeSeries(
  db: Database.Database,
  sinceMs: number,
  nowMs: number,
  bucket: SeriesBucket,
): { bucket: SeriesBucket; items: SeriesPoint[] } {
  const size = BUCKET_MS[bucket];
  const first = Math.max(Math.floor(sinceMs / size), Math.floor(nowMs / size) - MAX_SERIES_POINTS + 1);
  const last = Math.floor(nowMs / size);
  const from = first * size;
  const points = new Map<number, SeriesPoint>();
  for (let b = first; b <= last; b++) {
    points.set(b, {
      start: new Date(b * size).toISOString(),
      tasks: 0,
      succeeded: 0,
      failed: 0,
      cost_usd: 0,
      local_calls: 0,
      cloud_calls: 0,
      cached_calls: 0,
    });
  }
  const tasks = db
    .prepare(
      `SELECT created_at / ? AS b, COUNT(*) AS tasks, COALESCE(SUM(status = 'succeeded'), 0) AS succeeded,
         COALESCE(SUM(status = 'failed'), 0) AS failed
       FROM tasks WHERE created_at >= ? GROUP BY b`,
    )
    .all(size, from) as Array<{ b: number; tasks: number; succeeded: number; failed: number }>;
  for (const row of tasks) {
    const point = points.get(Math.floor(row.b));
    if (point) Object.assign(point, { tasks: row.tasks, succeeded: row.succeeded, failed: row.failed });
  }
  const calls = db
    .prepare(
      `SELECT created_at / ? AS b, COALESCE(SUM(cost_usd), 0) AS cost_usd,
         COALESCE(SUM(ok = 1 AND purpose = 'answer' AND local = 1 AND cached = 0), 0) AS local_calls,
         COALESCE(SUM(ok = 1 AND purpose = 'answer' AND local = 0 AND cached = 0), 0) AS cloud_calls,
         COALESCE(SUM(ok = 1 AND purpose = 'answer' AND cached = 1), 0) AS cached_calls
       FROM model_calls WHERE created_at >= ? GROUP BY b`,
    )
    .all(size, from) as Array<{
    b: number;
    cost_usd: number;
    local_calls: number;
    cloud_calls: number;
    cached_calls: number;
  }>;
  for (const row of calls) {
    const point = points.get(Math.floor(row.b));
    if (!point) continue;
    point.cost_usd = Math.round(row.cost_usd * 1e9) / 1e9;
    point.local_calls = row.local_calls;
    point.cloud_calls = row.cloud_calls;
    point.cached_calls = row.cached_calls;
  }
  return { bucket, items: [...points.values()] };
}
