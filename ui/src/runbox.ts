/**
 * "Run a task": input, optional agent and tier. The POST answers with the task's id at
 * once (202); what the task does then arrives on the event stream and shows below.
 */
import { post } from "./api.js";
import { h, replace } from "./dom.js";
import { errorBox } from "./errors.js";
import { liveTask } from "./live.js";
import { btnPrimary, card, input } from "./ui.js";

export function runBox(signal: AbortSignal): HTMLElement {
  const task = h("textarea", {
    class: `${input} min-h-20`,
    attrs: { id: "run-input", name: "input", rows: 3, required: true, placeholder: "What should hob do?" },
  });
  const agent = h("input", {
    class: input,
    attrs: { id: "run-agent", name: "agent", placeholder: "auto", autocomplete: "off", pattern: "[a-z0-9][a-z0-9_-]*" },
  });
  const tier = h("input", {
    class: input,
    attrs: { id: "run-tier", name: "tier", placeholder: "auto", autocomplete: "off" },
  });
  const submit = h("button", { class: btnPrimary, attrs: { type: "submit", id: "run-submit" } }, "Run");
  const result = h("div");
  let live: AbortController | undefined;

  const form = h(
    "form",
    {
      class: "flex flex-col gap-3",
      on: {
        submit: (event) => {
          event.preventDefault();
          submit.disabled = true;
          const body: Record<string, string> = { input: task.value };
          if (agent.value.trim()) body.agent = agent.value.trim();
          if (tier.value.trim()) body.tier = tier.value.trim();
          post<{ id: string }>("/api/tasks", body)
            .then(({ id }) => {
              live?.abort();
              live = new AbortController();
              signal.addEventListener("abort", () => live?.abort(), { once: true });
              replace(result, liveTask(id, live.signal));
              task.value = "";
            })
            .catch((error: unknown) => replace(result, errorBox(error)))
            .finally(() => {
              submit.disabled = false;
            });
        },
      },
    },
    h("label", { class: "text-sm font-medium", attrs: { for: "run-input" } }, "Task"),
    task,
    h(
      "div",
      { class: "grid grid-cols-1 gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end" },
      h(
        "div",
        null,
        h("label", { class: "text-sm font-medium", attrs: { for: "run-agent" } }, "Agent (optional)"),
        agent,
      ),
      h("div", null, h("label", { class: "text-sm font-medium", attrs: { for: "run-tier" } }, "Tier (optional)"), tier),
      submit,
    ),
  );
  return h(
    "section",
    { class: card, attrs: { "aria-labelledby": "run-title", "data-testid": "run-box" } },
    h("h2", { class: "mb-2 text-lg font-semibold", attrs: { id: "run-title" } }, "Run a task"),
    form,
    result,
  );
}
