import type Database from "better-sqlite3";
import { PICO_PER_USD, STATS_BUCKET_MS } from "./migrations.js";
import { processIsAlive } from "./tasks.js";

/** One limit a reservation is checked against: calls since a time, or the calls of one task. */
export interface SpendWindow {
  /** The limit's name, handed back when it refuses (e.g. `daily`). */
  name: string;
  limitUsd: number;
  /** Recorded calls from this time (ms since epoch) on count, and every live reservation. */
  since?: number;
  /** Or: the recorded calls and live reservations of this task. */
  taskId?: string;
}

/** Where a window stands: recorded spend and what calls in flight hold. */
export interface WindowSpend {
  spentUsd: number;
  reservedUsd: number;
}

export type ReserveOutcome = { ok: true; id: number } | ({ ok: false; window: SpendWindow } & WindowSpend);

/**
 * Spend against budgets: the recorded cost of model calls in a window, and reservations of
 * calls in flight (`budget_reservations`). A reservation is taken in a BEGIN IMMEDIATE
 * transaction, so two processes sharing the database never both take the last of a budget:
 * the second waits for the first's write lock (busy_timeout) and then sees its row.
 *
 * Sums over a day or more read the stats summary (`stats_calls`, per UTC day) for whole days
 * and model_calls only for the part of a day before the first whole one, so a monthly check
 * reads about thirty summary rows per model, not a month of calls.
 */
export class BudgetRepository {
  private prepared: Statements | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  /** Prepared on first use: a store opened at an older schema (a migration test) has no such tables. */
  private get sql(): Statements {
    if (this.prepared) return this.prepared;
    const db = this.db;
    const reserve = db.transaction((request: ReserveRequest) => this.reserveNow(request));
    this.prepared = {
      summed: db.prepare(
        `SELECT COALESCE(SUM(cost_pico), 0) / ${PICO_PER_USD}.0 AS usd FROM stats_calls WHERE bucket >= ?`,
      ),
      raw: db.prepare(
        "SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM model_calls WHERE created_at >= ? AND created_at < ?",
      ),
      byTask: db.prepare("SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM model_calls WHERE task_id = ?"),
      reservedAll: db.prepare("SELECT COALESCE(SUM(amount_usd), 0) AS usd FROM budget_reservations"),
      reservedTask: db.prepare("SELECT COALESCE(SUM(amount_usd), 0) AS usd FROM budget_reservations WHERE task_id = ?"),
      insert: db.prepare(
        "INSERT INTO budget_reservations (task_id, amount_usd, created_at, expires_at, pid) VALUES (?, ?, ?, ?, ?)",
      ),
      remove: db.prepare("DELETE FROM budget_reservations WHERE id = ?"),
      expire: db.prepare("DELETE FROM budget_reservations WHERE expires_at <= ?"),
      pids: db.prepare("SELECT DISTINCT pid FROM budget_reservations WHERE pid != ?").pluck(),
      removePid: db.prepare("DELETE FROM budget_reservations WHERE pid = ?"),
      reserve: (request) => reserve.immediate(request),
    };
    return this.prepared;
  }

  /** The recorded cost of every model call made at or after `since`. */
  spentSince(since: number): number {
    const firstWholeDay = Math.ceil(since / STATS_BUCKET_MS);
    const edge = Math.max(since, firstWholeDay * STATS_BUCKET_MS);
    const whole = (this.sql.summed.get(firstWholeDay) as { usd: number }).usd;
    const part = (this.sql.raw.get(since, edge) as { usd: number }).usd;
    return whole + part;
  }

  /** The recorded cost of a task's model calls. */
  spentByTask(taskId: string): number {
    return (this.sql.byTask.get(taskId) as { usd: number }).usd;
  }

  /** What calls in flight hold (all of them, or a task's). Expired rows still count until a reservation sweeps them. */
  reserved(taskId?: string): number {
    return ((taskId === undefined ? this.sql.reservedAll.get() : this.sql.reservedTask.get(taskId)) as { usd: number })
      .usd;
  }

  /** Where a window stands now. */
  windowSpend(window: SpendWindow): WindowSpend {
    if (window.taskId !== undefined) {
      return { spentUsd: this.spentByTask(window.taskId), reservedUsd: this.reserved(window.taskId) };
    }
    return { spentUsd: this.spentSince(window.since ?? 0), reservedUsd: this.reserved() };
  }

  /**
   * Reserves `amountUsd` if, in every window, what was spent, plus what calls in flight hold,
   * plus this amount stays within the limit. Expired reservations (past expires_at, or of a
   * process that no longer runs) are swept first. One transaction, taken with BEGIN IMMEDIATE.
   */
  reserve(request: ReserveRequest): ReserveOutcome {
    return this.sql.reserve(request);
  }

  /** The task whose calls since `since` cost the most, and what they cost. */
  costliestTaskSince(since: number): { taskId: string; spentUsd: number } | undefined {
    const row = this.db
      .prepare(
        `SELECT task_id, SUM(cost_usd) AS usd FROM model_calls WHERE created_at >= ?
         GROUP BY task_id ORDER BY usd DESC, task_id LIMIT 1`,
      )
      .get(since) as { task_id: string; usd: number } | undefined;
    return row && row.usd > 0 ? { taskId: row.task_id, spentUsd: row.usd } : undefined;
  }

  /** How many tasks created since `since` a budget stopped (they failed with E_BUDGET). */
  stoppedSince(since: number): number {
    return (
      this.db
        .prepare("SELECT COUNT(*) AS n FROM tasks WHERE created_at >= ? AND error_code = 'E_BUDGET'")
        .get(since) as { n: number }
    ).n;
  }

  /** Gives a reservation back (its call's actual cost is recorded, or the call was not made). */
  release(id: number): void {
    this.sql.remove.run(id);
  }

  private reserveNow(request: ReserveRequest): ReserveOutcome {
    const now = this.now();
    this.sql.expire.run(now);
    for (const pid of this.sql.pids.all(process.pid) as number[]) {
      if (!processIsAlive(pid)) this.sql.removePid.run(pid);
    }
    for (const window of request.windows) {
      const spend = this.windowSpend(window);
      // A hair of tolerance: costs are rounded to 1e-9 USD, and a sum of floats may land just above.
      if (spend.spentUsd + spend.reservedUsd + request.amountUsd > window.limitUsd + 1e-9) {
        return { ok: false, window, ...spend };
      }
    }
    const result = this.sql.insert.run(request.taskId, request.amountUsd, now, now + request.ttlMs, process.pid);
    return { ok: true, id: Number(result.lastInsertRowid) };
  }
}

export interface ReserveRequest {
  taskId: string | null;
  amountUsd: number;
  windows: SpendWindow[];
  /** How long the reservation holds if its process never gives it back (and is still running). */
  ttlMs: number;
}

interface Statements {
  summed: Database.Statement;
  raw: Database.Statement;
  byTask: Database.Statement;
  reservedAll: Database.Statement;
  reservedTask: Database.Statement;
  insert: Database.Statement;
  remove: Database.Statement;
  expire: Database.Statement;
  pids: Database.Statement;
  removePid: Database.Statement;
  reserve: (request: ReserveRequest) => ReserveOutcome;
}
