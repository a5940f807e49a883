/** Tasks: newest first, filtered by status, a page at a time ("Load more" follows the cursor). */
import { get, query } from "../api.js";
import { h, replace } from "../dom.js";
import { errorBox } from "../errors.js";
import { cost, firstLine, when } from "../format.js";
import type { PageContext } from "../router.js";
import { runBox } from "../runbox.js";
import type { Task, TaskList } from "../types.js";
import { btn, chip, heading, input, link, muted, td, th } from "../ui.js";
import { events } from "../ws.js";

const STATUSES = ["running", "succeeded", "failed", "cancelled", "interrupted", "awaiting_approval"];
const PAGE = 25;

function row(task: Task): HTMLElement {
  return h(
    "tr",
    { class: "border-t border-slate-200 dark:border-slate-800", attrs: { "data-task": task.id } },
    h(
      "td",
      { class: `${td} whitespace-nowrap` },
      h(
        "a",
        { class: `${link} font-mono`, attrs: { href: `#/tasks/${encodeURIComponent(task.id)}` } },
        task.id.slice(0, 10),
      ),
    ),
    h("td", { class: td }, chip(task.status)),
    h("td", { class: `${td} max-w-md wrap-anywhere` }, firstLine(task.input)),
    h("td", { class: `${td} hidden md:table-cell` }, [task.agent, task.tier].filter(Boolean).join(" · ")),
    h("td", { class: `${td} hidden text-right tabular-nums sm:table-cell` }, cost(task.cost_usd)),
    h("td", { class: `${td} hidden whitespace-nowrap lg:table-cell ${muted}` }, when(task.created_at)),
  );
}

export async function tasksPage({ root, signal }: PageContext): Promise<void> {
  const filter = new URLSearchParams(location.hash.split("?")[1] ?? "").get("status") ?? "";
  const select = h(
    "select",
    { class: `${input} w-auto`, attrs: { id: "status-filter" } },
    h("option", { attrs: { value: "" } }, "all"),
    ...STATUSES.map((s) => h("option", { attrs: { value: s, selected: s === filter } }, s.replace(/_/g, " "))),
  );
  select.addEventListener("change", () => {
    location.hash = select.value ? `#/tasks?status=${select.value}` : "#/tasks";
  });
  const body = h("tbody");
  const more = h("button", { class: btn, attrs: { type: "button", id: "load-more" } }, "Load more");
  const status = h("div", { attrs: { "aria-live": "polite" } });
  let cursor: string | null = null;

  const load = async () => {
    more.disabled = true;
    try {
      const page = await get<TaskList>(`/api/tasks${query({ limit: PAGE, cursor, status: filter })}`, signal);
      if (signal.aborted) return;
      for (const task of page.items) body.appendChild(row(task));
      cursor = page.next ?? null;
      more.hidden = cursor === null; // the attribute: Tailwind's preflight makes [hidden] win over inline-flex
      replace(status, body.children.length === 0 ? h("p", { class: `${muted} py-4` }, "No tasks yet.") : null);
    } catch (error) {
      if (!signal.aborted) replace(status, errorBox(error));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", () => void load());

  replace(
    root,
    heading(
      "Tasks",
      h(
        "div",
        { class: "flex items-center gap-2" },
        h("label", { class: "text-sm", attrs: { for: "status-filter" } }, "Status"),
        select,
      ),
    ),
    h(
      "div",
      { class: "flex flex-col gap-6" },
      runBox(signal),
      h(
        "div",
        {
          class: "overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900",
        },
        h(
          "table",
          { class: "w-full text-sm", attrs: { "data-testid": "task-table" } },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { class: th, attrs: { scope: "col" } }, "Task"),
              h("th", { class: th, attrs: { scope: "col" } }, "Status"),
              h("th", { class: th, attrs: { scope: "col" } }, "Input"),
              h("th", { class: `${th} hidden md:table-cell`, attrs: { scope: "col" } }, "Agent · tier"),
              h("th", { class: `${th} hidden text-right sm:table-cell`, attrs: { scope: "col" } }, "Cost"),
              h("th", { class: `${th} hidden lg:table-cell`, attrs: { scope: "col" } }, "Created"),
            ),
          ),
          body,
        ),
      ),
      status,
      h("div", null, more),
    ),
  );
  // A task created elsewhere (CLI, scheduler, the run box) appears at the top.
  const off = events.on((event) => {
    if (event.type !== "task-created" || (filter && filter !== "running")) return;
    if (body.querySelector(`tr[data-task="${CSS.escape(event.task_id)}"]`)) return;
    void get<Task>(`/api/tasks/${encodeURIComponent(event.task_id)}`, signal)
      .then((task) => body.prepend(row(task)))
      .catch(() => {});
  });
  signal.addEventListener("abort", off, { once: true });
  await load();
}
