/**
 * Shared looks, as Tailwind class strings in one place (Tailwind scans this file), and small
 * building blocks every page uses: cards, buttons, status chips, error boxes.
 */
import { type Child, h } from "./dom.js";

export const btn =
  "inline-flex items-center justify-center gap-1 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-50 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700";
export const btnPrimary =
  "inline-flex items-center justify-center gap-1 rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50";
export const btnDanger =
  "inline-flex items-center justify-center gap-1 rounded-md bg-rose-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-rose-700 disabled:opacity-50";
export const btnGood =
  "inline-flex items-center justify-center gap-1 rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700 disabled:opacity-50";
export const input =
  "w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-900";
export const card = "rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900";
export const pre =
  "max-h-96 overflow-auto whitespace-pre-wrap break-words rounded-md bg-slate-100 p-3 font-mono text-xs dark:bg-slate-800";
export const muted = "text-sm text-slate-500 dark:text-slate-400";
export const link = "text-sky-700 underline-offset-2 hover:underline dark:text-sky-400";
export const th =
  "px-2 py-1.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
export const td = "px-2 py-1.5 align-top";

const STATUS_CLASS: Record<string, string> = {
  succeeded: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  applied: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  success: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  active: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  approved: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  failed: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  error: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  invalid: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  rejected: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  denied: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  awaiting_approval: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  pending: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  needs_review: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  running: "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100",
  executing: "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100",
};

/** A status as a chip; the word is always there, colour only repeats it. */
export function chip(status: string): HTMLElement {
  const colour = STATUS_CLASS[status] ?? "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100";
  return h(
    "span",
    { class: `inline-block rounded-full px-2 py-0.5 text-xs font-medium ${colour}`, attrs: { "data-status": status } },
    status.replace(/_/g, " "),
  );
}

export function heading(title: string, ...extra: Child[]): HTMLElement {
  return h(
    "div",
    { class: "mb-4 flex flex-wrap items-center justify-between gap-2" },
    h("h1", { class: "text-2xl font-semibold" }, title),
    ...extra,
  );
}

/** A loading line for while a request is out. */
export function loading(what = "Loading…"): HTMLElement {
  return h("p", { class: muted, attrs: { role: "status" } }, what);
}
