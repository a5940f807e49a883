/**
 * Hard spend budgets (`budgets:` in hob.yaml): the router's spend guard, backed by reservations
 * in the store, and where each budget stands for `hob stats`, `hob run` and the web API.
 */
export {
  type BudgetName,
  budgetKey,
  budgetWindows,
  createBudgetGuard,
  hasBudgets,
  RESERVATION_TTL_MS,
  usd,
} from "./guard.js";
export { type BudgetPeriods, budgetPeriods, machineTimeZone } from "./periods.js";
export {
  BUDGET_WARN_SHARE,
  type BudgetLine,
  type BudgetReport,
  budgetReport,
  budgetWarnings,
  type PeriodBudget,
  type TaskBudget,
} from "./status.js";
