import { BUDGET_ENV, type BudgetsConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";
import type { SpendGuard, SpendRequest, SpendReservation } from "../models/index.js";
import type { SpendWindow, Store, WindowSpend } from "../store/index.js";
import { budgetPeriods } from "./periods.js";

/**
 * How long a reservation holds when its process is still running but never gave it back. A
 * crashed process's reservations are swept at once (its pid is gone); this bounds the rest
 * (a reused pid), and is far longer than any call should take.
 */
export const RESERVATION_TTL_MS = 30 * 60_000;

export type BudgetName = "per_task" | "daily" | "monthly";

/** Whether any limit is set. */
export function hasBudgets(budgets: BudgetsConfig): boolean {
  return budgets.daily_usd !== undefined || budgets.monthly_usd !== undefined || budgets.per_task_usd !== undefined;
}

/**
 * The router's spend guard backed by the store: each cloud call's worst case is reserved in
 * the database against every limit (per task, today, this month), in one BEGIN IMMEDIATE
 * transaction, so concurrent tasks in this process and in others sharing the database
 * together never pass a limit by more than one call's misestimate. Undefined with no limit set.
 */
export function createBudgetGuard(
  budgets: BudgetsConfig,
  store: Store,
  now: () => number = Date.now,
): SpendGuard | undefined {
  if (!hasBudgets(budgets)) return undefined;
  return {
    reserve(call: SpendRequest): SpendReservation {
      if (call.worstCaseUsd === null) throw unpriced(call);
      const at = now();
      const windows = budgetWindows(budgets, at, call.taskId);
      const outcome = store.budgets.reserve({
        taskId: call.taskId ?? null,
        amountUsd: call.worstCaseUsd,
        windows,
        ttlMs: RESERVATION_TTL_MS,
      });
      if (!outcome.ok) throw budgetExceeded(outcome.window, outcome, call, budgets, at);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            store.budgets.release(outcome.id);
          } catch {
            // A closed database: the row is swept once this process is gone, or when it expires.
          }
        },
      };
    },
  };
}

/** The windows a call is checked against: its task's, today's and this month's, those with a limit. */
export function budgetWindows(budgets: BudgetsConfig, at: number, taskId: string | undefined): SpendWindow[] {
  const periods = budgetPeriods(at, budgets.timezone);
  const windows: SpendWindow[] = [];
  if (budgets.per_task_usd !== undefined && taskId !== undefined)
    windows.push({ name: "per_task", limitUsd: budgets.per_task_usd, taskId });
  if (budgets.daily_usd !== undefined)
    windows.push({ name: "daily", limitUsd: budgets.daily_usd, since: periods.dayStart });
  if (budgets.monthly_usd !== undefined)
    windows.push({ name: "monthly", limitUsd: budgets.monthly_usd, since: periods.monthStart });
  return windows;
}

/** USD for messages: cents above a dollar, four decimals below (calls cost fractions of a cent). */
export function usd(value: number): string {
  const abs = Math.abs(value);
  return `$${abs >= 1 || abs === 0 ? value.toFixed(2) : value.toFixed(4)}`;
}

/** The config key and the environment variable that set a limit. */
export function budgetKey(name: BudgetName): string {
  return `budgets.${name}_usd`;
}

function budgetExceeded(
  window: SpendWindow,
  spend: WindowSpend,
  call: SpendRequest,
  budgets: BudgetsConfig,
  at: number,
): HobError {
  const name = window.name as BudgetName;
  const key = budgetKey(name);
  const variable = BUDGET_ENV[`${name}_usd`];
  const inFlight = spend.reservedUsd > 0 ? ` (and ${usd(spend.reservedUsd)} is held by calls in flight)` : "";
  const next = `the next call to ${call.model} (${call.modelName}) could cost up to ${usd(call.worstCaseUsd ?? 0)}`;
  const raise = `Raise ${key} in hob.yaml (or set ${variable})`;
  const stats = "`hob stats` shows spend against each budget";
  if (name === "per_task") {
    return new HobError(
      "E_BUDGET",
      `Per-task budget reached: this task has spent ${usd(spend.spentUsd)} of its ${usd(window.limitUsd)}${inFlight}, and ${next}.`,
      { hint: `${raise}, or split the work into smaller tasks; ${stats}.` },
    );
  }
  const periods = budgetPeriods(at, budgets.timezone);
  const when = name === "daily" ? "today" : "this month";
  const reset = new Date(name === "daily" ? periods.dayEnd : periods.monthEnd).toISOString().slice(0, 16);
  return new HobError(
    "E_BUDGET",
    `${name === "daily" ? "Daily" : "Monthly"} budget reached: ${usd(spend.spentUsd)} of ${usd(window.limitUsd)} spent ${when} (${periods.timezone})${inFlight}, and ${next}.`,
    { hint: `${raise}, or wait until it resets (${reset.replace("T", " ")} UTC); ${stats}.` },
  );
}

function unpriced(call: SpendRequest): HobError {
  return new HobError(
    "E_BUDGET",
    `A spend budget is set, and ${call.model} (${call.modelName}) has no known price, so hob cannot bound what a call would cost: it is not called.`,
    {
      hint: "Give it a price (`pricing:` in hob.yaml, or input_cost_per_token / output_cost_per_token in litellm.yaml), or use a local tier; `hob stats` shows spend against each budget.",
    },
  );
}
