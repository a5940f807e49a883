/** Skills with their success records: how often used, how often they worked, how long they take, the last error. */
import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { count, duration, percent } from "../format.js";
import type { PageContext } from "../router.js";
import type { Skill } from "../types.js";
import { chip, heading, muted, td, th } from "../ui.js";

export async function skillsPage({ root, signal }: PageContext): Promise<void> {
  const { items } = await get<{ items: Skill[] }>("/api/skills", signal);
  if (signal.aborted) return;
  if (items.length === 0) {
    replace(
      root,
      heading("Skills"),
      h("p", { class: muted }, "No skills yet. Agents offer reusable scripts as skills; you approve them."),
    );
    return;
  }
  const headers = ["Skill", "Status", "Used", "Worked", "Failed", "Success", "Mean time", "Last error"];
  replace(
    root,
    heading("Skills"),
    h(
      "div",
      { class: "overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900" },
      h(
        "table",
        { class: "w-full text-sm", attrs: { "data-testid": "skills-table" } },
        h(
          "thead",
          null,
          h("tr", null, ...headers.map((name) => h("th", { class: th, attrs: { scope: "col" } }, name))),
        ),
        h(
          "tbody",
          null,
          ...items.map((skill) =>
            h(
              "tr",
              { class: "border-t border-slate-200 dark:border-slate-800", attrs: { "data-skill": skill.name } },
              h(
                "td",
                { class: td },
                h("span", { class: "font-mono font-medium" }, skill.name),
                skill.version ? h("span", { class: `ml-1 ${muted}` }, `v${skill.version}`) : null,
                skill.description ? h("p", { class: muted }, skill.description) : null,
              ),
              h("td", { class: td }, chip(skill.status)),
              h("td", { class: `${td} tabular-nums` }, count(skill.usage_count)),
              h("td", { class: `${td} tabular-nums` }, count(skill.successes)),
              h("td", { class: `${td} tabular-nums` }, count(skill.failures)),
              h("td", { class: `${td} tabular-nums` }, percent(skill.success_rate)),
              h("td", { class: `${td} tabular-nums` }, duration(skill.mean_duration_ms)),
              h(
                "td",
                { class: `${td} max-w-xs wrap-anywhere font-mono text-xs` },
                skill.last_error ?? skill.error ?? "",
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
