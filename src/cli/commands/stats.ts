import { type BudgetLine, type BudgetReport, budgetReport } from "../../budgets/index.js";
import { counterfactualPrice } from "../../models/index.js";
import { parseSince } from "../../shapes/index.js";
import type { Stats } from "../../store/index.js";
import { openContext } from "../context.js";
import { type Colors, colorsFor, formatCost, formatInt, formatPercent, formatUsd, plural, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

export async function statsCommand(io: CliIO, options: { since?: string; json: boolean }): Promise<number> {
  const sinceMs = parseSince(options.since, Date.now());
  const { config, store } = await openContext(io, options);
  try {
    const stats = store.stats(sinceMs, counterfactualPrice(config));
    const budgets = budgetReport(store, config.config.budgets);
    const c = colorsFor(io.stdout, io.env);
    if (options.json) writeJson(io, { ...stats, budgets });
    else io.stdout.write(`${[renderStats(stats, options.since, c), ...renderBudgets(budgets, c)].join("\n")}\n`);
    return 0;
  } finally {
    store.close();
  }
}

function renderStats(stats: Stats, since: string | undefined, c: Colors): string {
  const { tasks, totals } = stats;
  const window = stats.since ? `since ${stats.since.slice(0, 16).replace("T", " ")} UTC (${since})` : "all time";
  if (tasks.total === 0) return `No tasks ${stats.since ? "in this window" : "yet"} (${window}).`;
  const lines = [
    c.bold(`hob stats · ${window}`),
    `Tasks   ${plural(tasks.total, "task")} · ${tasks.succeeded} succeeded · ${tasks.failed} failed · ${tasks.cancelled} cancelled · ` +
      `${tasks.interrupted} interrupted${tasks.awaiting_approval ? ` · ${tasks.awaiting_approval} waiting for approval` : ""} · success rate ${formatPercent(tasks.success_rate)}`,
    `Calls   ${plural(totals.calls, "call")} (${totals.failed_calls} failed) · ${formatInt(totals.input_tokens)} in / ` +
      `${formatInt(totals.output_tokens)} out tokens · cache ${formatInt(totals.cache_read_tokens)} read / ` +
      `${formatInt(totals.cache_write_tokens)} written`,
    `Cost    ${formatUsd(totals.cost_usd)}${
      totals.cost_unknown_calls > 0
        ? ` + ${plural(totals.cost_unknown_calls, "call")} with unknown cost (no price; ${plural(tasks.cost_unknown, "task")})`
        : ""
    }`,
  ];
  const r = stats.routing;
  lines.push(
    `Local   ${formatPercent(r.local_call_share)} of answers and ${formatPercent(r.local_token_share)} of tokens ran locally · ` +
      `${plural(r.cache_hits, "cache hit")} · ${plural(r.escalations, "escalation")} · ${plural(r.fallbacks, "fallback")}`,
    r.saved_usd === null
      ? "Saved   – (no price for the smart tier's model)"
      : `Saved   ${formatUsd(r.saved_usd)} against an all-cloud run (local and cached tokens at ${r.counterfactual_model} prices)`,
  );
  if (stats.by_model.length > 0) {
    lines.push("", c.bold("By model"));
    lines.push(
      table([
        ["MODEL", "CALLS", "FAILED", "IN", "OUT", "COST"],
        ...stats.by_model.map((m) => [
          `${m.provider}/${m.model}`,
          String(m.calls),
          String(m.failed_calls),
          formatInt(m.input_tokens),
          formatInt(m.output_tokens),
          formatCost(m.cost_usd, m.cost_unknown_calls > 0),
        ]),
      ]),
    );
  }
  if (stats.by_tier.length > 0) {
    lines.push("", c.bold("By tier"));
    lines.push(
      table([
        ["TIER", "TASKS", "SUCCESS", "CALLS", "IN", "OUT", "COST"],
        ...stats.by_tier.map((t) => [
          t.tier,
          String(t.tasks),
          formatPercent(t.success_rate),
          String(t.calls),
          formatInt(t.input_tokens),
          formatInt(t.output_tokens),
          formatCost(t.cost_usd, t.cost_unknown_calls > 0),
        ]),
      ]),
    );
  }
  return lines.join("\n");
}

/** Spend against each budget set (always the current day and month, whatever --since says). */
function renderBudgets(report: BudgetReport, c: Colors): string[] {
  const rows: Array<[string, BudgetLine, string]> = [];
  if (report.per_task) {
    const t = report.per_task;
    const which = t.task_id ? `costliest task this month (${t.task_id})` : "no task spent anything this month";
    const stopped = t.stopped_tasks > 0 ? ` · ${plural(t.stopped_tasks, "task")} stopped by a budget` : "";
    rows.push(["per task", t, `${which}${stopped}`]);
  }
  if (report.daily) rows.push(["today", report.daily, `resets ${localTime(report.daily.resets_at, report.timezone)}`]);
  if (report.monthly)
    rows.push(["this month", report.monthly, `resets ${localTime(report.monthly.resets_at, report.timezone)}`]);
  if (rows.length === 0) return [];
  return [
    "",
    c.bold(`Budgets (${report.timezone})`),
    table([
      ["BUDGET", "SPENT", "LIMIT", "LEFT", "SHARE", ""],
      ...rows.map(([name, b, note]) => [
        name,
        formatUsd(b.spent_usd),
        formatUsd(b.limit_usd),
        formatUsd(b.remaining_usd),
        formatPercent(b.share),
        `${b.warning ? c.yellow(`⚠ over ${Math.round(report.warn_share * 100)}% · `) : ""}${c.dim(note)}`,
      ]),
    ]),
  ];
}

function localTime(iso: string, timezone: string): string {
  return new Date(iso).toLocaleString("sv-SE", { timeZone: timezone }).slice(0, 16);
}
