/**
 * One task as it happens, from the event stream: the text as the model writes it
 * (aria-live, so a screen reader follows), each tool call and its state, the model calls,
 * and how it ended. Used by the run box and by chat.
 */
import { h, replace } from "./dom.js";
import { cost, json } from "./format.js";
import { chip, link, muted, pre } from "./ui.js";
import { events, type HobEvent } from "./ws.js";

export interface LiveOptions {
  /** Called once when the task stops (finished, failed or paused for approval). */
  onEnd?: (event: HobEvent) => void;
  /** Chat shows only the reply; the run box shows everything. */
  compact?: boolean;
}

interface ResultJson {
  output?: string;
  status?: string;
  cost_usd?: number;
  model?: string;
}

export function liveTask(taskId: string, signal: AbortSignal, options: LiveOptions = {}): HTMLElement {
  const status = h("span", { attrs: { "data-testid": "live-status" } }, chip("running"));
  const meta = h("p", { class: muted });
  const output = h("div", {
    class: `${pre} min-h-10 text-sm`,
    attrs: { "aria-live": "polite", "aria-atomic": "false", "data-testid": "live-output" },
  });
  const steps = h("ol", { class: "flex flex-col gap-2", attrs: { "data-testid": "live-steps" } });
  const calls = h("p", { class: muted });
  const notice = h("div", { attrs: { role: "status" } });
  const stepItems = new Map<string, HTMLElement>();
  let callCount = 0;
  let callCost = 0;
  let streamed = "";
  let ended = false;

  const setText = (value: string) => {
    output.textContent = value;
  };

  const onEvent = (event: HobEvent) => {
    switch (event.type) {
      case "task-started":
        meta.textContent = `${String(event.agent)} agent · ${String(event.tier)} tier · ${String(event.model)} — ${String(event.reason ?? "")}`;
        break;
      case "task-resumed":
        replace(status, chip("running"));
        replace(notice);
        break;
      case "text-delta":
        streamed += String(event.text ?? "");
        setText(streamed);
        break;
      case "model-call":
        callCount++;
        callCost += typeof event.cost_usd === "number" ? event.cost_usd : 0;
        calls.textContent = `${callCount} model call${callCount === 1 ? "" : "s"} · ${cost(callCost)}`;
        break;
      case "tool-call": {
        const id = String(event.call_id);
        let item = stepItems.get(id);
        if (!item) {
          item = h("li", { class: "rounded-md border border-slate-200 p-2 dark:border-slate-700" });
          stepItems.set(id, item);
          steps.appendChild(item);
        }
        const state = String(event.state);
        const detail = event.error
          ? String((event.error as { message?: unknown }).message ?? "")
          : typeof event.output === "string"
            ? event.output
            : typeof event.summary === "string"
              ? event.summary
              : "";
        replace(
          item,
          h(
            "div",
            { class: "flex flex-wrap items-center gap-2" },
            h(
              "span",
              { class: "font-mono text-sm font-medium", attrs: { "data-testid": "step-tool" } },
              String(event.tool),
            ),
            chip(state),
          ),
          h(
            "details",
            { class: "mt-1" },
            h("summary", { class: `${muted} cursor-pointer` }, "arguments"),
            h("pre", { class: pre }, json(event.args)),
          ),
          detail ? h("pre", { class: `${pre} mt-1` }, detail) : null,
        );
        break;
      }
      case "approval-requested":
        replace(
          notice,
          h(
            "p",
            { class: "rounded-md bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100" },
            `Waiting for your approval: ${String(event.summary ?? event.tool)} — `,
            h("a", { class: link, attrs: { href: "#/approvals" } }, "open the approvals inbox"),
          ),
        );
        break;
      case "task-paused":
        replace(status, chip("awaiting_approval"));
        options.onEnd?.(event);
        break;
      case "task-finished": {
        const result = (event.result ?? {}) as ResultJson;
        if (typeof result.output === "string" && result.output !== "") setText(result.output);
        replace(status, chip(result.status ?? "succeeded"));
        replace(notice);
        ended = true;
        options.onEnd?.(event);
        break;
      }
      case "task-failed": {
        const error = (event.error ?? {}) as { message?: string; hint?: string };
        replace(status, chip("failed"));
        replace(
          notice,
          h(
            "div",
            {
              class: "rounded-md bg-rose-50 p-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-100",
              attrs: { role: "alert" },
            },
            h("p", null, error.message ?? "The task failed."),
            error.hint ? h("p", null, error.hint) : null,
          ),
        );
        ended = true;
        options.onEnd?.(event);
        break;
      }
      default:
        break;
    }
  };

  const stop = events.watch(taskId, (event) => {
    if (!ended || event.type === "task-resumed") onEvent(event);
  });
  signal.addEventListener("abort", stop, { once: true });

  if (options.compact) {
    return h(
      "div",
      { class: "flex flex-col gap-2", attrs: { "data-task": taskId } },
      output,
      notice,
      h("div", { class: "flex items-center gap-2" }, status, calls),
    );
  }
  return h(
    "section",
    { class: "mt-4 flex flex-col gap-3", attrs: { "aria-label": "Live task", "data-task": taskId } },
    h(
      "div",
      { class: "flex flex-wrap items-center gap-2" },
      h(
        "a",
        { class: `${link} font-mono text-sm`, attrs: { href: `#/tasks/${encodeURIComponent(taskId)}` } },
        `task ${taskId}`,
      ),
      status,
      calls,
    ),
    meta,
    output,
    notice,
    h("h3", { class: "text-sm font-semibold" }, "Steps"),
    steps,
  );
}
