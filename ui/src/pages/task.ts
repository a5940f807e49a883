/** One task: what was asked, what came out, its tool steps and its model calls (model, tokens, cost). */
import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { errorBox } from "../errors.js";
import { cost, count, duration, json, when } from "../format.js";
import { liveTask } from "../live.js";
import type { PageContext } from "../router.js";
import type { RecalledItem, TaskDetail } from "../types.js";
import { card, chip, heading, link, muted, pre, td, th } from "../ui.js";

function field(label: string, value: string): HTMLElement[] {
  return [h("dt", { class: muted }, label), h("dd", { class: "break-words" }, value)];
}

function stepsList(task: TaskDetail): HTMLElement {
  if (task.steps.length === 0) return h("p", { class: muted }, "No tool calls.");
  return h(
    "ol",
    { class: "flex flex-col gap-2", attrs: { "data-testid": "steps" } },
    ...task.steps.map((step) =>
      h(
        "li",
        { class: "rounded-md border border-slate-200 p-3 dark:border-slate-700" },
        h(
          "div",
          { class: "flex flex-wrap items-center gap-2" },
          h("span", { class: muted }, `#${step.step}`),
          h("span", { class: "font-mono text-sm font-medium" }, step.tool),
          chip(step.status),
          step.error_code
            ? h("span", { class: "font-mono text-xs text-rose-700 dark:text-rose-300" }, step.error_code)
            : null,
        ),
        h("p", { class: `mt-2 ${muted}` }, "Arguments"),
        h("pre", { class: pre }, json(step.args)),
        step.result !== null ? h("p", { class: `mt-2 ${muted}` }, "Result") : null,
        step.result !== null ? h("pre", { class: pre }, step.result) : null,
      ),
    ),
  );
}

function callsTable(task: TaskDetail): HTMLElement {
  if (task.model_calls.length === 0) return h("p", { class: muted }, "No model calls.");
  return h(
    "div",
    { class: "overflow-x-auto" },
    h(
      "table",
      { class: "w-full text-sm", attrs: { "data-testid": "model-calls" } },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          ...["Model", "Purpose", "Where", "Tokens in / out", "Cost", "Latency", "OK"].map((name) =>
            h("th", { class: th, attrs: { scope: "col" } }, name),
          ),
        ),
      ),
      h(
        "tbody",
        null,
        ...task.model_calls.map((call) =>
          h(
            "tr",
            { class: "border-t border-slate-200 dark:border-slate-800" },
            h("td", { class: `${td} font-mono` }, `${call.provider}/${call.model}`),
            h("td", { class: td }, call.purpose),
            h("td", { class: td }, call.cached ? "cache" : call.local ? "local" : "cloud"),
            h("td", { class: `${td} tabular-nums` }, `${count(call.input_tokens)} / ${count(call.output_tokens)}`),
            h("td", { class: `${td} tabular-nums` }, cost(call.cost_usd)),
            h("td", { class: `${td} tabular-nums` }, duration(call.latency_ms)),
            h("td", { class: td }, call.ok ? "yes" : (call.error_code ?? "no")),
          ),
        ),
      ),
    ),
  );
}

const SECTION_NAMES: Record<string, string> = { past_tasks: "Past task", facts: "Fact" };

/** What memory put into this task's context (its past tasks and facts sections), as text. */
function recalledList(recalled: RecalledItem[] | Error): HTMLElement {
  if (recalled instanceof Error) return errorBox(recalled);
  if (recalled.length === 0) {
    return h("p", { class: muted, attrs: { "data-testid": "recalled-none" } }, "Nothing was recalled from memory.");
  }
  return h(
    "ul",
    { class: "flex flex-col gap-2", attrs: { "data-testid": "recalled" } },
    ...recalled.map((item) =>
      h(
        "li",
        {
          class: "rounded-md border border-slate-200 p-3 dark:border-slate-700",
          attrs: { "data-memory": item.id, "data-section": item.section },
        },
        h(
          "div",
          { class: "mb-1 flex flex-wrap items-center gap-2 text-sm" },
          h("span", { class: "font-medium" }, SECTION_NAMES[item.section] ?? item.section),
          item.created_at ? h("span", { class: muted }, when(item.created_at)) : null,
        ),
        item.text === null
          ? h("p", { class: `${muted} italic` }, "Forgotten since.")
          : h("p", { class: "whitespace-pre-wrap wrap-anywhere text-sm" }, item.text),
      ),
    ),
  );
}

export async function taskPage({ root, params, signal }: PageContext): Promise<void> {
  const id = params[0] ?? "";
  const path = `/api/tasks/${encodeURIComponent(id)}`;
  const [task, recalled] = await Promise.all([
    get<TaskDetail>(path, signal),
    get<{ items: RecalledItem[] }>(`${path}/recalled`, signal).then(
      (r) => r.items,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    ),
  ]);
  if (signal.aborted) return;
  const running = task.status === "running";
  replace(
    root,
    heading(`Task ${task.id}`, chip(task.status)),
    h(
      "div",
      { class: "flex flex-col gap-4" },
      h(
        "section",
        { class: card },
        h(
          "dl",
          { class: "grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" },
          ...field("Created", when(task.created_at)),
          ...field("Agent · tier", [task.agent, task.tier].filter(Boolean).join(" · ") || "–"),
          ...field("Model", task.model ?? "–"),
          ...field("Why this tier", task.tier_reason ?? "–"),
          ...field("Duration", duration(task.duration_ms)),
          ...field("Cost", cost(task.cost_usd)),
          ...field("Tokens in / out", `${count(task.usage.input_tokens)} / ${count(task.usage.output_tokens)}`),
        ),
        task.session_id
          ? h(
              "p",
              { class: "mt-2 text-sm" },
              h(
                "a",
                { class: link, attrs: { href: `#/chat/${encodeURIComponent(task.session_id)}` } },
                "Open its chat",
              ),
            )
          : null,
      ),
      h(
        "section",
        { class: card },
        h("h2", { class: "mb-2 font-semibold" }, "Input"),
        h("pre", { class: pre, attrs: { "data-testid": "task-input" } }, task.input),
      ),
      h(
        "section",
        { class: card },
        h("h2", { class: "mb-2 font-semibold" }, "Output"),
        running
          ? liveTask(task.id, signal, { compact: true })
          : h("pre", { class: pre, attrs: { "data-testid": "task-output" } }, task.output ?? ""),
        task.error
          ? h(
              "div",
              {
                class: "mt-2 rounded-md bg-rose-50 p-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-100",
                attrs: { role: "alert" },
              },
              h("p", { class: "font-mono" }, task.error.code),
              h("p", null, task.error.message),
              task.error.hint ? h("p", null, task.error.hint) : null,
            )
          : null,
      ),
      h(
        "section",
        { class: card },
        h("h2", { class: "mb-2 font-semibold" }, "Recalled into context"),
        recalledList(recalled),
      ),
      h("section", { class: card }, h("h2", { class: "mb-2 font-semibold" }, "Steps"), stepsList(task)),
      h("section", { class: card }, h("h2", { class: "mb-2 font-semibold" }, "Model calls"), callsTable(task)),
    ),
  );
}
