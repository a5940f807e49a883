import type { ApprovalOwner } from "../approvals/index.js";
import type { ProposalRecord, Store } from "../store/index.js";
import { sha256 } from "./apply.js";
import type { Draft } from "./draft.js";
import type { DraftValidation } from "./validate.js";

/**
 * Stores a validated draft as a proposal and, when it passed validation, asks the
 * approval owner for a human's decision on exactly its diff (hash-bound, expiring).
 * Undefined when an open proposal for the same finding already exists.
 */
export function queueProposal(deps: {
  store: Store;
  approvals: Pick<ApprovalOwner, "request">;
  runId: string | null;
  /** The improvement run's task: the approval's events go out on its stream. */
  taskId: string;
  findingKey: string;
  draft: Draft;
  evidence: unknown;
  validation: DraftValidation;
  expiresAt: number;
}): ProposalRecord | undefined {
  const { store, draft, validation } = deps;
  const proposal = store.proposals.insert({
    runId: deps.runId,
    taskId: deps.taskId,
    findingKey: deps.findingKey,
    kind: draft.kind,
    title: draft.title,
    rationale: draft.rationale,
    evidence: deps.evidence,
    diff: draft.diff,
    diffSha256: sha256(draft.diff),
    files: draft.files,
    validation: validation.checks,
    status: validation.verdict === "ok" ? "pending" : validation.verdict,
    ...(validation.reason ? { error: validation.reason } : {}),
  });
  if (!proposal) return undefined;
  if (proposal.status === "pending") {
    const approval = deps.approvals.request(
      {
        kind: "proposal",
        taskId: deps.taskId,
        proposalId: proposal.id,
        proposalKind: proposal.kind,
        title: proposal.title,
        rationale: proposal.rationale,
        diff: proposal.diff,
        diffSha256: proposal.diffSha256,
        files: proposal.files,
      },
      { expiresAt: deps.expiresAt, interactive: false },
    );
    store.proposals.setApproval(proposal.id, approval.id);
  }
  return store.proposals.get(proposal.id);
}
