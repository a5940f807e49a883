/**
 * Overview: totals for the last 30 days, charts of cost, local vs cloud share, success
 * rate and cache hits over time, and the run box.
 */
import { ApiError, get } from "../api.js";
import { lineChart, stackedBars } from "../charts.js";
import { h, replace } from "../dom.js";
import { errorBox } from "../errors.js";
import { cost, count, day, percent } from "../format.js";
import type { PageContext } from "../router.js";
import { runBox } from "../runbox.js";
import type { Series, Stats } from "../types.js";
import { card, heading, loading, muted } from "../ui.js";

function stat(label: string, value: string, detail?: string): HTMLElement {
  return h(
    "div",
    { class: card, attrs: { "data-testid": "stat" } },
    h("p", { class: muted }, label),
    h("p", { class: "mt-1 text-2xl font-semibold tabular-nums" }, value),
    detail ? h("p", { class: `mt-1 ${muted}` }, detail) : null,
  );
}

function chartCard(title: string, chart: Element, legend?: HTMLElement): HTMLElement {
  return h(
    "figure",
    { class: card },
    h("figcaption", { class: "mb-2 text-sm font-semibold" }, title),
    chart,
    legend ?? null,
  );
}

function legend(items: Array<[string, string]>): HTMLElement {
  return h(
    "ul",
    { class: `mt-2 flex flex-wrap gap-3 ${muted}` },
    ...items.map(([name, swatch]) =>
      h(
        "li",
        { class: "flex items-center gap-1" },
        h("span", { class: `inline-block size-3 rounded-sm ${swatch}` }),
        name,
      ),
    ),
  );
}

function totals(stats: Stats): HTMLElement {
  const r = stats.routing;
  const answered = r.local.calls + r.cloud.calls + r.cached.calls;
  return h(
    "div",
    { class: "grid grid-cols-2 gap-3 lg:grid-cols-5", attrs: { "data-testid": "totals" } },
    stat(
      "Tasks",
      count(stats.tasks.total),
      `${count(stats.tasks.succeeded)} succeeded · ${count(stats.tasks.failed)} failed`,
    ),
    stat("Success rate", percent(stats.tasks.success_rate)),
    stat("Cost", cost(stats.totals.cost_usd), `${count(stats.totals.calls)} model calls`),
    stat(
      "Local share",
      percent(r.local_call_share),
      `${count(r.local.calls)} local · ${count(r.cloud.calls)} cloud of ${count(answered)}`,
    ),
    stat("Cache hits", count(r.cache_hits), r.saved_usd === null ? undefined : `saved ${cost(r.saved_usd)}`),
  );
}

function charts(series: Series): HTMLElement {
  const items = series.items;
  const labels = items.map((p) =>
    series.bucket === "hour" ? `${new Date(p.start).getHours().toString().padStart(2, "0")}:00` : day(p.start),
  );
  const rates = items.map((p) => (p.succeeded + p.failed === 0 ? null : p.succeeded / (p.succeeded + p.failed)));
  return h(
    "div",
    { class: "grid grid-cols-1 gap-3 md:grid-cols-2", attrs: { "data-testid": "charts" } },
    chartCard(
      "Cost per day",
      lineChart(
        { label: "Cost per day in US dollars", labels, values: items.map((p) => p.cost_usd), format: cost },
        {
          line: "stroke-sky-500",
          area: "fill-sky-500/15",
          dot: "fill-sky-600",
        },
      ),
    ),
    chartCard(
      "Local vs cloud",
      stackedBars(
        "Share of model calls answered locally, in the cloud, or from the cache",
        labels,
        [
          { name: "local", values: items.map((p) => p.local_calls), fill: "fill-emerald-500" },
          { name: "cloud", values: items.map((p) => p.cloud_calls), fill: "fill-sky-500" },
          { name: "cached", values: items.map((p) => p.cached_calls), fill: "fill-amber-400" },
        ],
        true,
        percent,
      ),
      legend([
        ["local", "bg-emerald-500"],
        ["cloud", "bg-sky-500"],
        ["cached", "bg-amber-400"],
      ]),
    ),
    chartCard(
      "Success rate",
      lineChart(
        { label: "Share of finished tasks that succeeded", labels, values: rates, format: percent, max: 1 },
        {
          line: "stroke-emerald-500",
          area: "fill-emerald-500/15",
          dot: "fill-emerald-600",
        },
      ),
    ),
    chartCard(
      "Cache hits",
      stackedBars(
        "Model calls answered from the cache",
        labels,
        [{ name: "cache hits", values: items.map((p) => p.cached_calls), fill: "fill-amber-400" }],
        false,
        (v) => String(Math.round(v)),
      ),
    ),
  );
}

export async function overviewPage({ root, signal }: PageContext): Promise<void> {
  const statsSlot = h("div", null, loading());
  const chartSlot = h("div", null, loading("Loading charts…"));
  replace(
    root,
    heading("Overview", h("p", { class: muted }, "Last 30 days")),
    h("div", { class: "flex flex-col gap-6" }, statsSlot, runBox(signal), chartSlot),
  );
  const [stats, series] = await Promise.allSettled([
    get<Stats>("/api/stats?since=30d", signal),
    get<Series>("/api/stats/series?since=30d&bucket=day", signal),
  ]);
  if (signal.aborted) return;
  replace(statsSlot, stats.status === "fulfilled" ? totals(stats.value) : errorBox(stats.reason));
  if (series.status === "fulfilled") replace(chartSlot, charts(series.value));
  else if (series.reason instanceof ApiError && series.reason.status === 404) {
    replace(chartSlot, h("p", { class: muted }, "This server has no time series yet (GET /api/stats/series)."));
  } else replace(chartSlot, errorBox(series.reason));
}
