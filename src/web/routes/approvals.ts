import { z } from "zod";
import { HobError } from "../../errors/index.js";
import { toProposalJson } from "../../shapes/index.js";
import type { ApprovalRecord } from "../../store/index.js";
import { ApprovalItem, AUTH_ERRORS, DecisionBody, IdParams } from "../schemas.js";
import { sameSecret } from "../token.js";
import type { RouteContext } from "./context.js";

function preview(approval: ApprovalRecord): { summary: string; diff: string | null } {
  const p = (approval.preview ?? {}) as { summary?: unknown; diff?: unknown };
  return {
    summary: typeof p.summary === "string" ? p.summary : approval.tool,
    diff: typeof p.diff === "string" ? p.diff : null,
  };
}

export function toWebApprovalJson(approval: ApprovalRecord): z.input<typeof ApprovalItem> {
  const { summary, diff } = preview(approval);
  return {
    id: approval.id,
    kind: approval.subjectKind === "proposal" ? ("proposal" as const) : ("tool" as const),
    tool: approval.tool,
    summary,
    diff,
    hash: approval.hash,
    reason: approval.reason,
    task_id: approval.taskId,
    ...(approval.subjectKind === "proposal" ? { proposal_id: approval.callId } : {}),
    intact: approval.intact,
    created_at: new Date(approval.createdAt).toISOString(),
    expires_at: new Date(approval.expiresAt).toISOString(),
  };
}

/**
 * Approvals: the pending inbox and decisions. A decision goes through the orchestrator's
 * approval owner (never a row written here) and must carry the hash the page was shown.
 */
export function approvalRoutes(ctx: RouteContext): void {
  const { app, now } = ctx;

  app.get(
    "/api/approvals",
    {
      schema: {
        tags: ["approvals"],
        summary: "Pending tool actions and proposals",
        response: { 200: z.object({ items: z.array(ApprovalItem) }), ...AUTH_ERRORS },
      },
    },
    async () => {
      const pending = ctx.current().orchestrator.approvals.list({ status: "pending", limit: 500 });
      return { items: pending.filter((a) => a.expiresAt > now()).map(toWebApprovalJson) };
    },
  );

  app.post(
    "/api/approvals/:id",
    {
      schema: {
        tags: ["approvals"],
        summary: "Approve or deny, with the hash that was shown",
        description:
          "A tool action's task resumes in the background (progress on /api/events); a proposal is applied or rejected before the answer.",
        params: IdParams,
        body: DecisionBody,
      },
    },
    async (request) => {
      const { decision, hash } = request.body;
      const approvals = ctx.current().orchestrator.approvals;
      const approval = approvals.get(request.params.id);
      if (approval.id !== request.params.id) {
        throw new HobError("E_NOT_FOUND", `There is no approval ${request.params.id}.`, {
          hint: "Use the full id from GET /api/approvals.",
        });
      }
      if (!sameSecret(hash, approval.hash)) {
        throw new HobError("E_APPROVAL", "The approval changed since it was shown: its hash does not match.", {
          hint: "Reload the approvals and decide on what is shown now.",
        });
      }
      if (approval.subjectKind === "proposal") {
        const apply = await ctx.applyDeps();
        const improve = await import("../../improve/index.js");
        const proposal =
          decision === "approve"
            ? await improve.approveProposal(apply, approval.callId, "web")
            : await improve.rejectProposal(apply, approval.callId, "web");
        return {
          id: approval.id,
          kind: "proposal",
          status: approvals.get(approval.id).status,
          proposal: toProposalJson(proposal),
        };
      }
      const decided = approvals.decide(approval.id, decision === "approve" ? "approved" : "denied", "web");
      // The task continues in the background; its progress arrives on /api/events.
      ctx.inBackground(approvals.resume(approval.id, { signal: ctx.signal }));
      return { id: decided.id, kind: "tool", status: decided.status, task_id: decided.taskId };
    },
  );
}
