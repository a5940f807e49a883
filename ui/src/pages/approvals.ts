/**
 * The approvals inbox: tool actions and self-improvement proposals waiting for a human.
 * A decision is sent with the hash of exactly what was shown; if the action changed since,
 * the server refuses (409) and the list reloads. Proposals also show their rationale,
 * evidence and validation results.
 */
import { get, post } from "../api.js";
import { diffView } from "../diff.js";
import { h, replace } from "../dom.js";
import { errorBox } from "../errors.js";
import { json, when } from "../format.js";
import { refreshApprovals } from "../notify.js";
import type { PageContext } from "../router.js";
import type { Approval, ProposalDetail } from "../types.js";
import { btnDanger, btnGood, card, chip, heading, link, loading, muted, pre } from "../ui.js";
import { events } from "../ws.js";

function proposalDetail(detail: ProposalDetail, showDiff: boolean): HTMLElement {
  return h(
    "div",
    { class: "flex flex-col gap-3", attrs: { "data-testid": "proposal-detail" } },
    h(
      "div",
      null,
      h("h3", { class: "text-sm font-semibold" }, "Rationale"),
      h("p", { class: "mt-1 whitespace-pre-wrap text-sm" }, detail.rationale),
    ),
    h(
      "div",
      null,
      h("h3", { class: "text-sm font-semibold" }, "Validation"),
      detail.validation.length === 0
        ? h("p", { class: muted }, "No checks recorded.")
        : h(
            "ul",
            { class: "mt-1 flex flex-col gap-1 text-sm" },
            ...detail.validation.map((check) =>
              h(
                "li",
                { class: "flex flex-wrap items-baseline gap-2" },
                chip(check.ok ? "success" : "failed"),
                h("span", { class: "font-mono" }, check.check),
                h("span", { class: muted }, check.detail),
              ),
            ),
          ),
    ),
    h(
      "details",
      null,
      h("summary", { class: "cursor-pointer text-sm font-semibold" }, "Evidence"),
      h("pre", { class: `${pre} mt-1` }, json(detail.evidence)),
    ),
    showDiff && detail.diff ? diffView(detail.diff) : null,
  );
}

function approvalCard(approval: Approval, signal: AbortSignal, reload: () => void): HTMLElement {
  const status = h("div", { attrs: { "aria-live": "polite" } });
  const extra = h("div");
  const decide = (decision: "approve" | "deny") => {
    for (const b of buttons) b.disabled = true;
    post(`/api/approvals/${encodeURIComponent(approval.id)}`, { decision, hash: approval.hash })
      .then(() => {
        replace(status, h("p", { class: "text-sm font-medium" }, decision === "approve" ? "Approved." : "Rejected."));
        refreshApprovals();
        window.setTimeout(reload, 400);
      })
      .catch((error: unknown) => {
        replace(status, errorBox(error));
        for (const b of buttons) b.disabled = false;
      });
  };
  const buttons = [
    h(
      "button",
      { class: btnGood, attrs: { type: "button", "data-action": "approve" }, on: { click: () => decide("approve") } },
      "Approve",
    ),
    h(
      "button",
      { class: btnDanger, attrs: { type: "button", "data-action": "deny" }, on: { click: () => decide("deny") } },
      "Reject",
    ),
  ];
  if (approval.diff) replace(extra, diffView(approval.diff));
  if (approval.kind === "proposal" && approval.proposal_id) {
    replace(extra, loading("Loading the proposal…"));
    get<ProposalDetail>(`/api/proposals/${encodeURIComponent(approval.proposal_id)}`, signal)
      .then((detail) => {
        replace(extra, proposalDetail(detail, !approval.diff), approval.diff ? diffView(approval.diff) : null);
      })
      .catch((error: unknown) => {
        if (!signal.aborted) replace(extra, errorBox(error));
      });
  }
  return h(
    "article",
    {
      class: `${card} flex flex-col gap-3`,
      attrs: { "data-approval": approval.id, "aria-label": `Approval ${approval.summary}` },
    },
    h(
      "div",
      { class: "flex flex-wrap items-center gap-2" },
      chip(approval.kind === "proposal" ? "proposal" : "tool"),
      h("span", { class: "font-mono text-sm font-medium" }, approval.tool),
      approval.intact ? null : chip("changed"),
      h("span", { class: `ml-auto ${muted}` }, `expires ${when(approval.expires_at)}`),
    ),
    h("h2", { class: "font-semibold break-words" }, approval.summary),
    approval.reason ? h("p", { class: muted }, approval.reason) : null,
    approval.task_id
      ? h(
          "p",
          { class: "text-sm" },
          h(
            "a",
            { class: link, attrs: { href: `#/tasks/${encodeURIComponent(approval.task_id)}` } },
            `from task ${approval.task_id}`,
          ),
        )
      : null,
    extra,
    h("div", { class: "flex flex-wrap gap-2" }, ...buttons),
    status,
  );
}

export async function approvalsPage({ root, signal }: PageContext): Promise<void> {
  const list = h("div", { class: "flex flex-col gap-4", attrs: { "data-testid": "approvals" } }, loading());
  replace(root, heading("Approvals"), list);
  let loadingNow = false;
  let again = false;
  const load = async (): Promise<void> => {
    if (loadingNow) {
      again = true; // one more load once this one ends, so nothing that arrived meanwhile is missed
      return;
    }
    loadingNow = true;
    try {
      const { items } = await get<{ items: Approval[] }>("/api/approvals", signal);
      if (signal.aborted) return;
      replace(
        list,
        ...(items.length === 0
          ? [h("p", { class: muted }, "Nothing waits for you.")]
          : items.map((approval) => approvalCard(approval, signal, () => void load()))),
      );
    } catch (error) {
      if (!signal.aborted) replace(list, errorBox(error));
    } finally {
      loadingNow = false;
    }
    if (again && !signal.aborted) {
      again = false;
      await load();
    }
  };
  // A new request arriving while the inbox is open shows up without a reload.
  const off = events.on((event) => {
    if (event.type === "approval-requested") void load();
  });
  signal.addEventListener("abort", off, { once: true });
  await load();
}
