/** An error as the user reads it: the server's message and its hint, both as text. */
import { ApiError } from "./api.js";
import { h } from "./dom.js";

export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ApiError ? error.hint : undefined;
  return h(
    "div",
    {
      class:
        "rounded-md border border-rose-300 bg-rose-50 p-3 text-sm text-rose-900 dark:border-rose-800 dark:bg-rose-950 dark:text-rose-100",
      attrs: { role: "alert" },
    },
    h("p", { class: "font-medium" }, message),
    hint ? h("p", { class: "mt-1" }, hint) : null,
  );
}
