/**
 * Proposals history: every self-improvement proposal with its status; details on demand
 * (rationale, validation, diff); an applied one can be rolled back after a confirmation.
 */
import { get, post, query } from "../api.js";
import { diffView } from "../diff.js";
import { h, replace } from "../dom.js";
import { errorBox } from "../errors.js";
import { json, when } from "../format.js";
import type { PageContext } from "../router.js";
import type { Proposal, ProposalDetail } from "../types.js";
import { btn, btnDanger, card, chip, heading, input, loading, muted, pre } from "../ui.js";

const STATUSES = ["pending", "approved", "applied", "rejected", "failed", "rolled_back"];

function details(id: string, signal: AbortSignal): HTMLElement {
  const body = h("div", { class: "mt-2 flex flex-col gap-3" });
  const box = h("details", null, h("summary", { class: "cursor-pointer text-sm font-medium" }, "Details"), body);
  let loaded = false;
  box.addEventListener("toggle", () => {
    if (!box.open || loaded) return;
    loaded = true;
    replace(body, loading());
    get<ProposalDetail>(`/api/proposals/${encodeURIComponent(id)}`, signal)
      .then((detail) =>
        replace(
          body,
          h("p", { class: "whitespace-pre-wrap text-sm" }, detail.rationale),
          h(
            "ul",
            { class: "flex flex-col gap-1 text-sm" },
            ...detail.validation.map((c) =>
              h(
                "li",
                { class: "flex flex-wrap gap-2" },
                chip(c.ok ? "success" : "failed"),
                h("span", { class: "font-mono" }, c.check),
                h("span", { class: muted }, c.detail),
              ),
            ),
          ),
          h("pre", { class: pre }, json(detail.evidence)),
          detail.diff ? diffView(detail.diff) : null,
        ),
      )
      .catch((error: unknown) => replace(body, errorBox(error)));
  });
  return box;
}

function proposalCard(proposal: Proposal, signal: AbortSignal, reload: () => void): HTMLElement {
  const status = h("div", { attrs: { "aria-live": "polite" } });
  const rollback =
    proposal.status === "applied"
      ? h(
          "button",
          {
            class: btnDanger,
            attrs: { type: "button", "data-action": "rollback" },
            on: {
              click: (event) => {
                const button = event.currentTarget as HTMLButtonElement;
                if (!window.confirm(`Roll back “${proposal.title}”? This reverts its commit.`)) return;
                button.disabled = true;
                post(`/api/proposals/${encodeURIComponent(proposal.id)}/rollback`)
                  .then(() => reload())
                  .catch((error: unknown) => {
                    button.disabled = false;
                    replace(status, errorBox(error));
                  });
              },
            },
          },
          "Roll back",
        )
      : null;
  return h(
    "article",
    { class: `${card} flex flex-col gap-2`, attrs: { "data-proposal": proposal.id } },
    h(
      "div",
      { class: "flex flex-wrap items-center gap-2" },
      h("span", { attrs: { "data-testid": "proposal-status" } }, chip(proposal.status)),
      h("span", { class: muted }, proposal.kind),
      h("span", { class: `ml-auto ${muted}` }, when(proposal.updated_at)),
    ),
    h("h2", { class: "font-semibold break-words" }, proposal.title),
    proposal.files.length > 0 ? h("p", { class: "font-mono text-xs break-all" }, proposal.files.join(", ")) : null,
    proposal.commit
      ? h(
          "p",
          { class: muted },
          `commit ${proposal.commit.slice(0, 12)}${proposal.revert_commit ? ` · reverted by ${proposal.revert_commit.slice(0, 12)}` : ""}`,
        )
      : null,
    proposal.error ? h("p", { class: "text-sm text-rose-700 dark:text-rose-300" }, proposal.error) : null,
    details(proposal.id, signal),
    rollback ? h("div", null, rollback) : null,
    status,
  );
}

export async function proposalsPage({ root, signal }: PageContext): Promise<void> {
  const filter = new URLSearchParams(location.hash.split("?")[1] ?? "").get("status") ?? "";
  const select = h(
    "select",
    { class: `${input} w-auto`, attrs: { id: "proposal-filter" } },
    h("option", { attrs: { value: "" } }, "all"),
    ...STATUSES.map((s) => h("option", { attrs: { value: s, selected: s === filter } }, s.replace(/_/g, " "))),
  );
  select.addEventListener("change", () => {
    location.hash = select.value ? `#/proposals?status=${select.value}` : "#/proposals";
  });
  const list = h("div", { class: "flex flex-col gap-4", attrs: { "data-testid": "proposals" } }, loading());
  const load = async () => {
    try {
      const { items } = await get<{ items: Proposal[] }>(
        `/api/proposals${query({ status: filter, limit: 100 })}`,
        signal,
      );
      if (signal.aborted) return;
      replace(
        list,
        ...(items.length === 0
          ? [h("p", { class: muted }, "No proposals.")]
          : items.map((p) => proposalCard(p, signal, () => void load()))),
      );
    } catch (error) {
      if (!signal.aborted) replace(list, errorBox(error));
    }
  };
  replace(
    root,
    heading(
      "Proposals",
      h(
        "div",
        { class: "flex items-center gap-2" },
        h("label", { class: "text-sm", attrs: { for: "proposal-filter" } }, "Status"),
        select,
        h("button", { class: btn, attrs: { type: "button" }, on: { click: () => void load() } }, "Refresh"),
      ),
    ),
    list,
  );
  await load();
}
