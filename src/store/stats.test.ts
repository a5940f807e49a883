import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers.js";
import { generateHistory } from "../../test/history-generator.js";
import { MIGRATIONS, Store } from "./index.js";
import { computeStatsFromHistory, type Stats } from "./stats.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * `hob stats` as it was computed before the summary tables (migration 11), query for query:
 * the straightforward reading of the whole history that the fast path must agree with.
 */
function straightforwardStats(
  db: BetterSqlite3.Database,
  sinceMs: number | null,
): Omit<Stats, "routing"> & {
  routing: Omit<Stats["routing"], "saved_usd" | "counterfactual_model">;
} {
  const since = sinceMs ?? 0;
  const TOTALS = `COUNT(c.id) AS calls,
    COALESCE(SUM(CASE WHEN c.ok = 0 THEN 1 ELSE 0 END), 0) AS failed_calls,
    COALESCE(SUM(c.input_tokens), 0) AS input_tokens, COALESCE(SUM(c.output_tokens), 0) AS output_tokens,
    COALESCE(SUM(c.cache_read_tokens), 0) AS cache_read_tokens, COALESCE(SUM(c.cache_write_tokens), 0) AS cache_write_tokens,
    COALESCE(SUM(c.cost_usd), 0) AS cost_usd, COALESCE(SUM(c.cost_unknown), 0) AS cost_unknown_calls`;
  const counts = db
    .prepare(
      `SELECT COUNT(*) AS total,
         COALESCE(SUM(status = 'succeeded'), 0) AS succeeded, COALESCE(SUM(status = 'failed'), 0) AS failed,
         COALESCE(SUM(status = 'cancelled'), 0) AS cancelled, COALESCE(SUM(status = 'interrupted'), 0) AS interrupted,
         COALESCE(SUM(status = 'running'), 0) AS running,
         COALESCE(SUM(status = 'awaiting_approval'), 0) AS awaiting_approval
       FROM tasks WHERE created_at >= ?`,
    )
    .get(since) as Stats["tasks"];
  const unknown = db
    .prepare(
      `SELECT COUNT(DISTINCT t.id) AS n FROM tasks t JOIN model_calls c ON c.task_id = t.id
       WHERE t.created_at >= ? AND c.cost_unknown = 1`,
    )
    .get(since) as { n: number };
  const finished = counts.total - counts.running - counts.awaiting_approval;
  const rate = (s: number, f: number) => (f === 0 ? null : Math.round((s / f) * 1000) / 1000);
  const byTier = db
    .prepare(
      `SELECT t.tier AS tier, COUNT(DISTINCT t.id) AS tasks,
         COUNT(DISTINCT CASE WHEN t.status = 'succeeded' THEN t.id END) AS succeeded,
         COUNT(DISTINCT CASE WHEN t.status NOT IN ('running', 'awaiting_approval') THEN t.id END) AS finished, ${TOTALS}
       FROM tasks t LEFT JOIN model_calls c ON c.task_id = t.id
       WHERE t.created_at >= ? AND t.tier IS NOT NULL GROUP BY t.tier ORDER BY t.tier`,
    )
    .all(since) as Array<Stats["by_tier"][number] & { finished: number }>;
  const split = (where: string) =>
    db
      .prepare(
        `SELECT COUNT(*) AS calls, COALESCE(SUM(input_tokens + cache_read_tokens + cache_write_tokens), 0) AS input_tokens,
           COALESCE(SUM(output_tokens), 0) AS output_tokens
         FROM model_calls WHERE created_at >= ? AND ok = 1 AND purpose = 'answer' AND ${where}`,
      )
      .get(since) as Stats["routing"]["local"];
  const local = split("local = 1 AND cached = 0");
  const cloud = split("local = 0 AND cached = 0");
  const cached = split("cached = 1");
  const flags = db
    .prepare(
      `SELECT COALESCE(SUM(escalated_from IS NOT NULL), 0) AS escalations, COALESCE(SUM(fallback IS NOT NULL), 0) AS fallbacks
       FROM tasks WHERE created_at >= ?`,
    )
    .get(since) as { escalations: number; fallbacks: number };
  const answered = local.calls + cloud.calls + cached.calls;
  const tokens = (t: typeof local) => t.input_tokens + t.output_tokens;
  const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);
  return {
    since: sinceMs === null ? null : new Date(sinceMs).toISOString(),
    tasks: { ...counts, success_rate: rate(counts.succeeded, finished), cost_unknown: unknown.n },
    totals: db.prepare(`SELECT ${TOTALS} FROM model_calls c WHERE c.created_at >= ?`).get(since) as Stats["totals"],
    by_model: db
      .prepare(
        `SELECT c.provider, c.model, ${TOTALS} FROM model_calls c WHERE c.created_at >= ?
         GROUP BY c.provider, c.model ORDER BY cost_usd DESC, calls DESC`,
      )
      .all(since) as Stats["by_model"],
    by_tier: byTier.map(({ finished: f, ...tier }) => ({ ...tier, success_rate: rate(tier.succeeded, f) })),
    routing: {
      local,
      cloud,
      cached,
      local_call_share: share(local.calls, answered),
      local_token_share: share(tokens(local), tokens(local) + tokens(cloud) + tokens(cached)),
      cache_hits: cached.calls,
      escalations: flags.escalations,
      fallbacks: flags.fallbacks,
      router_calls: (
        db
          .prepare("SELECT COUNT(*) AS n FROM model_calls WHERE created_at >= ? AND purpose != 'answer'")
          .get(since) as {
          n: number;
        }
      ).n,
    },
  };
}

/** The figures with costs rounded to a nanodollar (the old query summed floats; the new one sums exactly). */
function rounded<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, v) => (key === "cost_usd" && typeof v === "number" ? Math.round(v * 1e9) / 1e9 : v)),
  );
}

function withoutCounterfactual(stats: Stats) {
  const { saved_usd: _saved, counterfactual_model: _model, ...routing } = stats.routing;
  return { ...stats, routing };
}

describe("hob stats from the summary tables", () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
  });
  afterEach(() => cleanup());

  /** A seeded history, then the changes hob makes after the fact (and a few it never makes). */
  function seeded(store: Store): { start: number; end: number } {
    const history = generateHistory(store, { tasks: 600, seed: 11, spacingMs: 20 * 60_000 });
    const db = store.db;
    const ids = (db.prepare("SELECT id FROM tasks ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id);
    const at = (i: number) => ids[(i * 37) % ids.length] as string;
    // Calls of unknown cost, classification calls, a cached answer, calls made hours after their task.
    const insert = db.prepare(
      `INSERT INTO model_calls (task_id, created_at, provider, model, tier, input_tokens, output_tokens,
         cache_read_tokens, cache_write_tokens, cost_usd, ok, local, cached, purpose, cost_unknown)
       SELECT id, created_at + ?, ?, ?, tier, 120, 40, 7, 3, ?, ?, ?, ?, ?, ? FROM tasks WHERE id = ?`,
    );
    for (let i = 0; i < 40; i++) {
      insert.run(i * 1000, "openai", "gpt-x", 0, 1, 0, 0, "answer", 1, at(i));
      insert.run(5 * HOUR, "ollama", "qwen3:1.7b", 0, 1, 1, 0, "classify", 0, at(i + 50));
      insert.run(
        0,
        "anthropic",
        "claude-haiku-4-5",
        0.1 + i * 1e-7,
        i % 3 === 0 ? 0 : 1,
        0,
        1,
        "answer",
        0,
        at(i + 90),
      );
    }
    // Status, tier and routing changes after the calls were recorded.
    db.prepare("UPDATE tasks SET status = 'running' WHERE id = ?").run(at(3));
    db.prepare("UPDATE tasks SET status = 'awaiting_approval' WHERE id = ?").run(at(4));
    db.prepare("UPDATE tasks SET status = 'cancelled' WHERE id = ?").run(at(5));
    db.prepare("UPDATE tasks SET tier = 'smart', escalated_from = 'local-fast' WHERE id = ?").run(at(6));
    db.prepare("UPDATE tasks SET tier = NULL WHERE id = ?").run(at(7));
    db.prepare("UPDATE tasks SET fallback = 'fast' WHERE id = ?").run(at(8));
    db.prepare("UPDATE tasks SET created_at = created_at + ? WHERE id = ?").run(3 * HOUR, at(9));
    // A call moved to another task, a call's cost changed, a call and a task deleted (its calls cascade).
    db.prepare("UPDATE model_calls SET task_id = ? WHERE id = (SELECT MIN(id) FROM model_calls WHERE task_id = ?)").run(
      at(10),
      at(11),
    );
    db.prepare("UPDATE model_calls SET cost_usd = cost_usd * 3, cost_unknown = 1 WHERE task_id = ?").run(at(12));
    db.prepare("DELETE FROM model_calls WHERE id = (SELECT MAX(id) FROM model_calls WHERE task_id = ?)").run(at(13));
    db.prepare("DELETE FROM task_steps WHERE task_id = ?").run(at(14));
    db.prepare("DELETE FROM approvals WHERE task_id = ?").run(at(14));
    db.prepare("UPDATE memories SET task_id = NULL WHERE task_id = ?").run(at(14));
    db.prepare("DELETE FROM tasks WHERE id = ?").run(at(14));
    return { start: history.start, end: history.end };
  }

  function windows(start: number, end: number): Array<number | null> {
    // All time, whole days, and windows that start inside a day (read partly from the history).
    return [
      null,
      0,
      start,
      start + DAY,
      start + 17 * HOUR,
      start + 2 * DAY + 17 * HOUR + 1234,
      Math.floor((start + end) / 2) + 7,
      end,
      end + 1,
    ];
  }

  it("prints the same figures as reading the whole history, for every window", () => {
    const store = Store.open(join(home, "hob.db"));
    const { start, end } = seeded(store);
    const price = { model: "claude-sonnet-4-5", input: 3, output: 15 };
    for (const since of windows(start, end)) {
      const fast = store.stats(since, price);
      expect(fast).toEqual(computeStatsFromHistory(store.db, since, price));
      expect(rounded(withoutCounterfactual(fast))).toEqual(rounded(straightforwardStats(store.db, since)));
      // By model, the old order held too (cost, then calls).
      expect(fast.by_model.map((m) => `${m.provider}/${m.model}`)).toEqual(
        straightforwardStats(store.db, since).by_model.map((m) => `${m.provider}/${m.model}`),
      );
    }
    expect(store.stats(null).tasks.total).toBeGreaterThan(500);
    expect(store.stats(null).tasks.cost_unknown).toBeGreaterThan(0);
    store.close();
  });

  it("sums a history written before the summary existed when the database is migrated", () => {
    const file = join(home, "hob.db");
    const old = Store.open(file, { migrations: MIGRATIONS.slice(0, 10) });
    const { start, end } = seeded(old);
    const before = windows(start, end).map((since) => computeStatsFromHistory(old.db, since));
    old.close();
    // (No crash sweep: it would mark the running task interrupted, a change of its own.)
    const store = Store.open(file, { sweepInterrupted: false });
    expect(windows(start, end).map((since) => store.stats(since))).toEqual(before);
    store.close();
  });

  it("counts an empty history as empty", () => {
    const store = Store.open(join(home, "hob.db"));
    expect(store.stats(null)).toEqual(computeStatsFromHistory(store.db, null));
    expect(rounded(withoutCounterfactual(store.stats(null)))).toEqual(rounded(straightforwardStats(store.db, null)));
    store.close();
  });
});
