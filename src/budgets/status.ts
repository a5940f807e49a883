import type { BudgetsConfig } from "../config/index.js";
import type { Store } from "../store/index.js";
import { type BudgetName, budgetKey, hasBudgets, usd } from "./guard.js";
import { budgetPeriods } from "./periods.js";

/** A budget passing this share of its limit is warned about (`hob stats`, `hob run`). */
export const BUDGET_WARN_SHARE = 0.8;

/** Where one budget stands. */
export interface BudgetLine {
  limit_usd: number;
  /** Recorded cost of the calls in the period (or of the task). */
  spent_usd: number;
  /** Worst cases held by calls in flight right now. */
  reserved_usd: number;
  /** limit − spent − reserved, never below 0. */
  remaining_usd: number;
  /** spent / limit (1 for a limit of 0 once anything is spent, 0 before). */
  share: number;
  /** share ≥ 0.8. */
  warning: boolean;
}

export interface PeriodBudget extends BudgetLine {
  /** When the period began and when it resets (ISO, UTC). */
  period_start: string;
  resets_at: string;
}

export interface TaskBudget extends BudgetLine {
  /** The task measured: the one asked about, else this month's costliest (null: none spent anything). */
  task_id: string | null;
  /** Tasks created this month that a budget stopped (E_BUDGET). */
  stopped_tasks: number;
}

/** Spend against each budget (`hob stats`, `hob run`, GET /api/stats); null where no limit is set. */
export interface BudgetReport {
  timezone: string;
  warn_share: number;
  daily: PeriodBudget | null;
  monthly: PeriodBudget | null;
  per_task: TaskBudget | null;
}

function line(limit: number, spent: number, reserved: number): BudgetLine {
  // Rounded first, so $0.02 of $0.025 is 80% (not 79.99…%) for the warning too.
  const share = Math.round((limit > 0 ? spent / limit : spent > 0 ? 1 : 0) * 10_000) / 10_000;
  return {
    limit_usd: limit,
    spent_usd: round(spent),
    reserved_usd: round(reserved),
    remaining_usd: round(Math.max(0, limit - spent - reserved)),
    share,
    warning: share >= BUDGET_WARN_SHARE,
  };
}

const round = (value: number) => Math.round(value * 1e9) / 1e9;

/** Where each budget stands now; with `taskId`, the per-task line measures that task. */
export function budgetReport(
  store: Store,
  budgets: BudgetsConfig,
  now: number = Date.now(),
  taskId?: string,
): BudgetReport {
  const periods = budgetPeriods(now, budgets.timezone);
  const reserved = hasBudgets(budgets) ? store.budgets.reserved() : 0;
  const period = (limit: number | undefined, start: number, end: number): PeriodBudget | null =>
    limit === undefined
      ? null
      : {
          ...line(limit, store.budgets.spentSince(start), reserved),
          period_start: new Date(start).toISOString(),
          resets_at: new Date(end).toISOString(),
        };
  let perTask: TaskBudget | null = null;
  if (budgets.per_task_usd !== undefined) {
    const measured =
      taskId !== undefined
        ? { taskId, spentUsd: store.budgets.spentByTask(taskId) }
        : store.budgets.costliestTaskSince(periods.monthStart);
    perTask = {
      ...line(budgets.per_task_usd, measured?.spentUsd ?? 0, measured ? store.budgets.reserved(measured.taskId) : 0),
      task_id: measured?.taskId ?? null,
      stopped_tasks: store.budgets.stoppedSince(periods.monthStart),
    };
  }
  return {
    timezone: periods.timezone,
    warn_share: BUDGET_WARN_SHARE,
    daily: period(budgets.daily_usd, periods.dayStart, periods.dayEnd),
    monthly: period(budgets.monthly_usd, periods.monthStart, periods.monthEnd),
    per_task: perTask,
  };
}

/** One line per budget at or past 80% (for `hob run`): what was spent, of what, and the key that raises it. */
export function budgetWarnings(report: BudgetReport): string[] {
  const entries: Array<[BudgetName, BudgetLine | null, string]> = [
    ["per_task", report.per_task, "this task"],
    ["daily", report.daily, "today"],
    ["monthly", report.monthly, "this month"],
  ];
  return entries
    .filter((entry): entry is [BudgetName, BudgetLine, string] => entry[1]?.warning === true)
    .map(
      ([name, b, when]) =>
        `${when === "this task" ? "This task has" : `${when[0]?.toUpperCase()}${when.slice(1)}, hob has`} spent ${usd(b.spent_usd)} of the ${usd(b.limit_usd)} ${name === "per_task" ? "per-task" : name} budget (${Math.round(b.share * 100)}%); ${budgetKey(name)} raises it.`,
    );
}
