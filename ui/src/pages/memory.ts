/**
 * Memory: search what hob remembers (past tasks, facts), with every ranking signal shown so
 * the user sees why a memory would be recalled; forget one; remember a new fact. The query
 * lives in the address (#/memory?q=…&kind=…) so a reload or a shared link shows the same.
 */
import { del, get, post, query } from "../api.js";
import { h, replace } from "../dom.js";
import { errorBox } from "../errors.js";
import { when } from "../format.js";
import type { PageContext } from "../router.js";
import type { MemoryItem, MemorySearch, MemoryWarning } from "../types.js";
import { btn, btnPrimary, card, chip, heading, input, link, loading, muted } from "../ui.js";

const KINDS = ["task", "fact", "note"];

const fixed = (n: number | null, digits: number) => (n === null ? "–" : n.toFixed(digits));
const count = (n: number) => (n === 1 ? "1 memory" : `${n} memories`);
const rank = (n: number | null) => (n === null ? "not found" : `#${n}`);

function warningBox(warnings: MemoryWarning[]): HTMLElement | null {
  if (warnings.length === 0) return null;
  return h(
    "ul",
    {
      class:
        "flex flex-col gap-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100",
      attrs: { "data-testid": "memory-warnings" },
    },
    ...warnings.map((w) =>
      h(
        "li",
        { attrs: { "data-code": w.code } },
        h("span", { class: "font-medium" }, w.message),
        w.hint ? h("span", null, ` ${w.hint}`) : null,
      ),
    ),
  );
}

/** The signals that ranked one memory, each with what it means in its title. */
function signals(item: MemoryItem): HTMLElement {
  const s = item.signals;
  const rows: Array<[string, string, string, string]> = [
    [
      "fts",
      "Text rank",
      rank(s.fts_rank),
      s.bm25 === null ? "Not found by full-text search" : `Full-text (BM25 ${s.bm25.toFixed(2)}, lower is better)`,
    ],
    ["vector", "Vector rank", rank(s.vector_rank), "Place in the by-meaning (embedding) search"],
    ["cosine", "Cosine", fixed(s.cosine, 2), "Similarity of meaning, 1 is the same"],
    ["recency", "Recency", fixed(s.recency, 2), "1 today, 0.5 at one half-life"],
    ["outcome", "Outcome", `×${fixed(s.outcome, 2)}`, "Above 1: a task that succeeded; below 1: one that failed"],
  ];
  return h(
    "dl",
    {
      class: "grid grid-cols-3 gap-x-4 gap-y-1 text-xs sm:grid-cols-5",
      attrs: { "data-testid": "signals", "aria-label": "Why it was recalled" },
    },
    ...rows.map(([key, label, value, title]) =>
      h(
        "div",
        { class: "flex flex-col", attrs: { title } },
        h("dt", { class: "text-slate-500 dark:text-slate-400" }, label),
        h("dd", { class: "font-mono tabular-nums", attrs: { "data-signal": key } }, value),
      ),
    ),
  );
}

function outcomeChip(item: MemoryItem): HTMLElement | null {
  if (item.kind !== "task" || item.success === null) return null;
  return chip(item.success ? "succeeded" : "failed");
}

function resultRow(item: MemoryItem, onForget: (row: HTMLElement) => void): HTMLElement {
  const forget = h(
    "button",
    {
      class:
        "inline-flex shrink-0 items-center self-end justify-center rounded-md border border-rose-300 px-3 py-1 text-sm font-medium text-rose-700 hover:bg-rose-50 disabled:opacity-50 dark:border-rose-800 dark:text-rose-300 dark:hover:bg-rose-950",
      attrs: { type: "button", "data-action": "forget", "aria-label": `Forget memory ${item.id}` },
    },
    "Forget",
  );
  const row = h(
    "li",
    { class: "flex flex-col gap-2 p-4", attrs: { "data-memory": item.id, "data-kind": item.kind } },
    h(
      "div",
      { class: "flex flex-wrap items-center gap-2 text-sm" },
      chip(item.kind),
      outcomeChip(item),
      h("span", { class: muted }, when(item.created_at)),
      item.task_id
        ? h(
            "a",
            { class: `${link} text-sm`, attrs: { href: `#/tasks/${encodeURIComponent(item.task_id)}` } },
            "Open the task",
          )
        : null,
      h(
        "span",
        { class: "ml-auto font-mono text-sm tabular-nums", attrs: { "data-testid": "score", title: "Final score" } },
        `score ${item.score.toFixed(3)}`,
      ),
    ),
    h("p", { class: "whitespace-pre-wrap wrap-anywhere text-sm", attrs: { "data-testid": "memory-text" } }, item.text),
    h("div", { class: "flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between" }, signals(item), forget),
  );
  forget.addEventListener("click", () => onForget(row));
  return row;
}

export async function memoryPage({ root, signal }: PageContext): Promise<void> {
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const searchInput = h("input", {
    class: input,
    attrs: {
      id: "memory-q",
      type: "search",
      name: "q",
      required: true,
      maxlength: 2000,
      autocomplete: "off",
      placeholder: "e.g. tomatoes, the dentist, my todo list",
      value: params.get("q") ?? "",
    },
  });
  const kindSelect = h(
    "select",
    { class: `${input} sm:w-auto`, attrs: { id: "memory-kind", name: "kind" } },
    h("option", { attrs: { value: "" } }, "all kinds"),
    ...KINDS.map((k) => h("option", { attrs: { value: k, selected: k === params.get("kind") } }, `${k}s`)),
  );
  const results = h("div", { class: "flex flex-col gap-3", attrs: { "aria-live": "polite" } });

  const emptyStart = () =>
    h(
      "p",
      { class: `${muted} py-2`, attrs: { "data-testid": "memory-empty" } },
      "Search what hob remembers: its past tasks (and how they went) and the facts you told it. Type a few words and press Enter.",
    );

  const forget = async (row: HTMLElement) => {
    const id = row.getAttribute("data-memory") ?? "";
    const what = row.querySelector("[data-testid=memory-text]")?.textContent ?? "";
    const short = what.length > 80 ? `${what.slice(0, 79)}…` : what;
    if (!window.confirm(`Forget this memory? hob will not recall it again.\n\n${short}`)) return;
    const button = row.querySelector<HTMLButtonElement>("button[data-action=forget]");
    if (button) button.disabled = true;
    try {
      await del(`/api/memory/${encodeURIComponent(id)}`);
      const next = (row.nextElementSibling ?? row.previousElementSibling) as HTMLElement | null;
      const left = (row.parentElement?.children.length ?? 1) - 1;
      row.remove();
      // Focus stays near where it was (the button it was on is gone).
      (next?.querySelector<HTMLElement>("button[data-action=forget]") ?? searchInput).focus();
      results.querySelector("[data-testid=memory-count]")?.replaceChildren(count(left), " (one forgotten)");
      if (left === 0) void search();
    } catch (error) {
      if (button) button.disabled = false;
      row.appendChild(errorBox(error));
    }
  };

  let latest = 0;
  const search = async () => {
    const q = searchInput.value.trim();
    const kind = kindSelect.value;
    history.replaceState(null, "", `#/memory${query({ q, kind })}`);
    if (!q) {
      replace(results, emptyStart());
      return;
    }
    const mine = ++latest;
    replace(results, loading("Searching…"));
    try {
      const found = await get<MemorySearch>(`/api/memory/search${query({ q, kind, k: 10 })}`, signal);
      if (signal.aborted || mine !== latest) return;
      const summary = h(
        "p",
        { class: muted },
        h("span", { attrs: { "data-testid": "memory-count" } }, count(found.items.length)),
        ", best first · ",
        h(
          "span",
          { attrs: { "data-testid": "memory-mode", "data-mode": found.mode } },
          found.mode === "hybrid" ? "hybrid search (text + meaning)" : "full-text search only",
        ),
      );
      replace(
        results,
        warningBox(found.warnings),
        summary,
        found.items.length === 0
          ? h(
              "p",
              { class: `${muted} py-2`, attrs: { "data-testid": "memory-empty" } },
              `Nothing in memory matches “${q}”. Try other words${kind ? " or all kinds" : ""}, or remember a fact with the form.`,
            )
          : h(
              "ul",
              {
                class:
                  "divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900",
                attrs: { "data-testid": "memory-results" },
              },
              ...found.items.map((item) => resultRow(item, (row) => void forget(row))),
            ),
      );
    } catch (error) {
      if (!signal.aborted && mine === latest) replace(results, errorBox(error));
    }
  };

  const searchForm = h(
    "form",
    { class: `${card} flex flex-col gap-2`, attrs: { role: "search", "data-testid": "memory-search" } },
    h("label", { class: "text-sm font-medium", attrs: { for: "memory-q" } }, "Search memory"),
    h(
      "div",
      { class: "flex flex-col gap-2 sm:flex-row" },
      searchInput,
      h("label", { class: "sr-only", attrs: { for: "memory-kind" } }, "Kind"),
      kindSelect,
      h("button", { class: btnPrimary, attrs: { type: "submit", id: "memory-search-button" } }, "Search"),
    ),
  );
  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void search();
  });
  kindSelect.addEventListener("change", () => {
    if (searchInput.value.trim()) void search();
  });

  const textarea = h("textarea", {
    class: input,
    attrs: {
      id: "memory-text",
      name: "text",
      rows: 3,
      required: true,
      maxlength: 20000,
      placeholder: "e.g. My dentist is Dr Okafor, on Tuesdays.",
    },
  });
  const rememberButton = h("button", { class: btn, attrs: { type: "submit", id: "memory-remember" } }, "Remember");
  const rememberStatus = h("div", { class: "text-sm", attrs: { "aria-live": "polite" } });
  const rememberForm = h(
    "form",
    { class: `${card} flex flex-col gap-2`, attrs: { "data-testid": "memory-remember-form" } },
    h("label", { class: "font-semibold", attrs: { for: "memory-text" } }, "Remember something"),
    h("p", { class: muted }, "A fact hob should know. It is recalled into tasks it fits."),
    textarea,
    h("div", null, rememberButton),
    rememberStatus,
  );
  rememberForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = textarea.value.trim();
    if (!value) return;
    rememberButton.disabled = true;
    post<{ id: string; warnings: MemoryWarning[] }>("/api/memory", { text: value })
      .then(({ warnings }) => {
        if (signal.aborted) return;
        textarea.value = "";
        replace(
          rememberStatus,
          h("p", { attrs: { "data-testid": "remembered" } }, "Remembered."),
          warningBox(warnings ?? []),
        );
        if (searchInput.value.trim()) void search();
      })
      .catch((error: unknown) => {
        if (!signal.aborted) replace(rememberStatus, errorBox(error));
      })
      .finally(() => {
        rememberButton.disabled = false;
      });
  });

  replace(
    root,
    heading("Memory"),
    h(
      "div",
      { class: "grid gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]" },
      h("div", { class: "flex min-w-0 flex-col gap-4" }, searchForm, results),
      h(
        "div",
        { class: "flex flex-col gap-4" },
        rememberForm,
        h(
          "section",
          { class: `${card} text-sm` },
          h("h2", { class: "mb-1 font-semibold" }, "How recall ranks"),
          h(
            "p",
            { class: muted },
            "Text rank and vector rank are each memory's place in the full-text and by-meaning searches; the two are fused, then nudged by recency and by the outcome of a past task. Hover a signal for what it means.",
          ),
        ),
      ),
    ),
  );
  if (searchInput.value.trim()) await search();
  else replace(results, emptyStart());
}
