import { createHash } from "node:crypto";
import type { ApprovalOwner } from "../approvals/index.js";
import { HobError } from "../errors/index.js";
import { applyPatch, changedFiles, commitStaged, findCommit, resetHard, revert } from "../git/index.js";
import type { ApprovalRecord, ProposalRecord, Store } from "../store/index.js";
import { acquireLock, isHeld } from "./scheduler/index.js";

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

export interface ApplyDeps {
  store: Store;
  approvals: Pick<ApprovalOwner, "decide" | "consume" | "getIntact">;
  managedRepo: string;
  /** Registries and config re-read from the managed repository (live, without a restart). */
  reload: () => void | Promise<void>;
  /** The lock file that lets one process at a time apply or roll back (`$HOB_HOME/managed.lock`). */
  lockFile: string;
}

const proposalTrailer = (id: string) => `Hob-Proposal: ${id}`;
const rollbackTrailer = (id: string) => `Hob-Rollback-Of: ${id}`;

/**
 * One apply or rollback at a time: in this process a queue, across processes a lock file
 * (stale when its process died). Inside it the proposal's state is read afresh, so a
 * second approval of the same proposal finds it applied and is refused; the status
 * compare-and-swap guards the decision itself.
 */
let queue: Promise<unknown> = Promise.resolve();
function serialised<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  const locked = async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const lock = acquireLock(lockFile);
      if (isHeld(lock)) {
        try {
          return await work();
        } finally {
          lock.release();
        }
      }
      if (Date.now() > deadline) {
        throw new HobError(
          "E_CONFLICT",
          `Another hob process (pid ${lock.heldBy.pid}) is changing the managed repository.`,
          {
            hint: "Try again in a moment.",
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const next = queue.then(locked, locked);
  queue = next.catch(() => undefined);
  return next;
}

/**
 * What was shown is what runs: the stored diff must still hash to the SHA-256 the
 * proposal (and its sealed approval) were made with.
 */
function checkIntact(proposal: ProposalRecord, approvalHash?: string): void {
  const actual = sha256(proposal.diff);
  if (actual !== proposal.diffSha256 || (approvalHash !== undefined && approvalHash !== proposal.diffSha256)) {
    throw alteredError(proposal);
  }
}

function alteredError(proposal: ProposalRecord): HobError {
  return new HobError(
    "E_APPROVAL",
    `Proposal ${proposal.id} was altered after it was made: it no longer matches the sealed approval of its diff.`,
    { hint: `Reject it (\`hob proposals reject ${proposal.id}\`) and let the next analysis make it again.` },
  );
}

/** A title or rationale (a model wrote them) must not forge a trailer hob searches commits by. */
const noTrailers = (text: string) => text.replace(/^(\s*)(hob-)/gim, "$1> $2");

function stateError(proposal: ProposalRecord, action: string): HobError {
  return new HobError("E_APPROVAL", `Proposal ${proposal.id} is ${proposal.status}; it cannot be ${action}.`, {
    hint: "`hob proposals list` shows where each proposal stands.",
  });
}

/**
 * A human approves a pending proposal: the approval owner records the decision (who,
 * when; refused when expired or no longer pending), the proposal moves pending → approved
 * (compare-and-swap: of two concurrent approvals one wins), the approval is spent, and the
 * diff is committed to the managed repository. Re-running it on an `approved` proposal
 * (after a crash) finishes the half-done apply.
 */
export function approveProposal(deps: ApplyDeps, idOrPrefix: string, decidedBy: string): Promise<ProposalRecord> {
  return serialised(deps.lockFile, async () => {
    const proposal = deps.store.proposals.get(idOrPrefix);
    if (proposal.status === "approved") {
      // A crash after the decision. The proposal row alone is not trusted (anyone who can write the database
      // could set it): a sealed approval for exactly this diff, decided by someone, must exist.
      const approval = sealedApproval(deps, proposal, ["approved", "used"]);
      if (!approval.decidedBy) throw alteredError(proposal);
      if (approval.status === "approved") deps.approvals.consume(proposal.taskId, proposal.diffSha256);
      return finishApply(deps, proposal);
    }
    if (proposal.status !== "pending") throw stateError(proposal, "approved");
    const approval = sealedApproval(deps, proposal, ["pending", "approved"]);
    // Already approved (a crash right after the decision) goes on; otherwise the owner records this decision.
    if (approval.status !== "approved") deps.approvals.decide(approval.id, "approved", decidedBy);
    if (!deps.store.proposals.transition(proposal.id, "pending", "approved")) {
      throw stateError(deps.store.proposals.get(proposal.id), "approved again");
    }
    if (!deps.approvals.consume(proposal.taskId, proposal.diffSha256)) {
      throw new HobError("E_APPROVAL", `The approval of proposal ${proposal.id} could not be used.`);
    }
    return finishApply(deps, deps.store.proposals.get(proposal.id));
  });
}

/**
 * The proposal's approval, refused unless its sealed record is for exactly this proposal
 * (subject, id, task) and this diff (its hash), in one of the expected states.
 */
function sealedApproval(deps: ApplyDeps, proposal: ProposalRecord, states: ApprovalRecord["status"][]): ApprovalRecord {
  if (!proposal.approvalId) throw alteredError(proposal);
  const approval = deps.approvals.getIntact(proposal.approvalId);
  checkIntact(proposal, approval.hash);
  if (approval.subjectKind !== "proposal" || approval.callId !== proposal.id || approval.taskId !== proposal.taskId) {
    throw alteredError(proposal);
  }
  if (!states.includes(approval.status)) {
    throw new HobError("E_APPROVAL", `The approval of proposal ${proposal.id} is ${approval.status}.`, {
      hint:
        approval.status === "expired"
          ? "It expired before anyone approved it; the next analysis proposes it again."
          : "`hob proposals show` shows where it stands.",
    });
  }
  return approval;
}

/** Commits an approved proposal's diff (or finds the commit a crashed apply already made). */
async function finishApply(deps: ApplyDeps, proposal: ProposalRecord): Promise<ProposalRecord> {
  checkIntact(proposal);
  let commit = await findCommit(deps.managedRepo, proposalTrailer(proposal.id));
  if (!commit) {
    try {
      await resetHard(deps.managedRepo); // anything a crash left uncommitted
      await applyPatch(deps.managedRepo, proposal.diff);
      commit = await commitStaged(
        deps.managedRepo,
        `${noTrailers(proposal.title)}\n\n${noTrailers(proposal.rationale)}\n\n${proposalTrailer(proposal.id)}`,
      );
    } catch (error) {
      await resetHard(deps.managedRepo).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      deps.store.proposals.transition(proposal.id, "approved", "failed", { error: message });
      throw error;
    }
  }
  try {
    await deps.reload();
  } catch (error) {
    // Validation loads the change before anyone approves it; should hob still fail to load it, it is undone at
    // once, so that no command (rollback included) is left unable to start.
    const reason = error instanceof Error ? error.message : String(error);
    await revert(deps.managedRepo, commit, undefined, `Undo: hob could not load it\n\n${rollbackTrailer(proposal.id)}`);
    deps.store.proposals.transition(proposal.id, "approved", "failed", {
      commitSha: commit,
      error: `applied, but hob could not load it, so it was reverted: ${reason}`,
    });
    throw new HobError("E_CONFIG", `Proposal ${proposal.id} was applied, but hob could not load it; it was reverted.`, {
      hint: `The reason: ${reason}`,
      cause: error,
    });
  }
  deps.store.proposals.transition(proposal.id, "approved", "applied", { commitSha: commit });
  return deps.store.proposals.get(proposal.id);
}

/** A human rejects a pending proposal: the approval is denied (recorded with who and when). */
export function rejectProposal(deps: ApplyDeps, idOrPrefix: string, decidedBy: string): Promise<ProposalRecord> {
  return serialised(deps.lockFile, async () => {
    const proposal = deps.store.proposals.get(idOrPrefix);
    if (proposal.status !== "pending" || !proposal.approvalId) throw stateError(proposal, "rejected");
    deps.approvals.decide(proposal.approvalId, "denied", decidedBy);
    if (!deps.store.proposals.transition(proposal.id, "pending", "rejected")) {
      throw stateError(deps.store.proposals.get(proposal.id), "rejected");
    }
    return deps.store.proposals.get(proposal.id);
  });
}

/**
 * Undoes an applied proposal: reverts its commit (a revert a crash left unrecorded is
 * found and recorded), reloads, and records the revert. When later proposals changed the
 * same lines, it says which.
 */
export function rollbackProposal(deps: ApplyDeps, idOrPrefix: string): Promise<ProposalRecord> {
  return serialised(deps.lockFile, async () => {
    const proposal = deps.store.proposals.get(idOrPrefix);
    if (proposal.status !== "applied" || !proposal.commitSha) throw stateError(proposal, "rolled back");
    let commit = await findCommit(deps.managedRepo, rollbackTrailer(proposal.id));
    if (!commit) {
      try {
        await resetHard(deps.managedRepo);
        ({ commit } = await revert(
          deps.managedRepo,
          proposal.commitSha,
          undefined,
          `Roll back: ${noTrailers(proposal.title)}\n\n${rollbackTrailer(proposal.id)}`,
        ));
      } catch (error) {
        if (error instanceof HobError && error.code === "E_CONFLICT") throw await conflictError(deps, proposal, error);
        throw error;
      }
    }
    if (!deps.store.proposals.transition(proposal.id, "applied", "rolled_back", { revertSha: commit })) {
      throw stateError(deps.store.proposals.get(proposal.id), "rolled back");
    }
    await deps.reload();
    return deps.store.proposals.get(proposal.id);
  });
}

/** Names the later applied proposals that touched the same files. */
async function conflictError(deps: ApplyDeps, proposal: ProposalRecord, cause: HobError): Promise<HobError> {
  const mine = new Set(await changedFiles(deps.managedRepo, proposal.commitSha as string));
  const later = deps.store.proposals
    .list({ status: "applied", limit: 1000 })
    .filter((other) => other.id !== proposal.id && other.updatedAt >= proposal.updatedAt)
    .filter((other) => other.files.some((file) => mine.has(file)));
  const names = later.map((other) => `${other.id} ("${other.title}")`).join(", ");
  return new HobError(
    "E_CONFLICT",
    `Rolling back proposal ${proposal.id} conflicts with later changes to the same lines${names ? ` by proposal ${names}` : ""}.`,
    {
      hint: later.length
        ? `Roll back ${later.map((other) => other.id).join(", ")} first (newest first), then this one.`
        : "The managed repository was changed by hand after it; undo that change first.",
      cause,
    },
  );
}
