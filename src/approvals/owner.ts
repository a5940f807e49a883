import { HobError } from "../errors/index.js";
import type { Decider, TaskEventBody } from "../events/index.js";
import { type ApprovalRecord, type ApprovalStatus, newId, type Store } from "../store/index.js";

/** Publishes an event on one task's stream (the recorder writes its row, then listeners hear it). */
export type Publish = (event: TaskEventBody) => void;

/** What a human is shown, and what the approval's hash covers. */
export interface ApprovalPreview {
  tool: string;
  summary: string;
  targets: string[];
  diff?: string;
}

/** One tool call of one task, exactly as it will run. */
export interface ToolCallSubject {
  kind: "tool-call";
  taskId: string;
  callId: string;
  tool: string;
  args: unknown;
  /** sha256 of tool, canonical arguments, resolved targets and their state. */
  hash: string;
  preview: ApprovalPreview;
  reason: string;
}

/**
 * A self-improvement proposal: a diff against hob's managed repository. Its approval
 * binds the diff's SHA-256; `taskId` is the improvement run's task, on whose event
 * stream its approval events go.
 */
export interface ProposalSubject {
  kind: "proposal";
  taskId: string;
  proposalId: string;
  proposalKind: string;
  title: string;
  rationale: string;
  diff: string;
  diffSha256: string;
  files: string[];
}

/** What approvals are for: a tool call, or a self-improvement proposal. */
export type ApprovalSubject = ToolCallSubject | ProposalSubject;

/** Continues whatever waited on an approval once it is decided (a tool call: the task; a proposal: applying it). */
export type Resumer<Request, Result> = (approval: ApprovalRecord, request: Request) => Promise<Result>;

export interface ApprovalOwnerDeps {
  store: Store;
  now: () => number;
  /** The event stream of a task: approval events go out on it and the recorder writes their rows. */
  publishTo: (taskId: string) => Publish;
}

/**
 * The one owner of approval state: pending → approved | denied → used, or expired
 * when its time runs out. Every change is an event on the subject's task stream
 * (`approval-requested`, `approval-decided`, `approval-used`), which the recorder
 * writes; nothing else changes an approval. The CLI, the web API and the proposal
 * queue all decide through `decide` and continue through `resume`.
 * An approval is for one exact action (its hash), is used once, and expires.
 */
export class ApprovalOwner<ResumeRequest = unknown, ResumeResult = unknown> {
  private readonly resumers = new Map<string, Resumer<ResumeRequest, ResumeResult>>();

  constructor(private readonly deps: ApprovalOwnerDeps) {}

  /** Asks for a decision: a new pending approval, shown to whoever decides. */
  request(subject: ApprovalSubject, options: { expiresAt: number; interactive: boolean }): ApprovalRecord {
    const id = newId(this.deps.now());
    const common = { type: "approval-requested" as const, approval_id: id, expires_at: options.expiresAt };
    this.deps.publishTo(subject.taskId)(
      subject.kind === "tool-call"
        ? {
            ...common,
            subject: "tool-call",
            call_id: subject.callId,
            tool: subject.tool,
            args: subject.args,
            hash: subject.hash,
            summary: subject.preview.summary,
            targets: subject.preview.targets,
            ...(subject.preview.diff !== undefined ? { diff: subject.preview.diff } : {}),
            reason: subject.reason,
            interactive: options.interactive,
          }
        : {
            ...common,
            subject: "proposal",
            call_id: subject.proposalId,
            tool: `proposal:${subject.proposalKind}`,
            args: { proposal_id: subject.proposalId, kind: subject.proposalKind, title: subject.title },
            hash: subject.diffSha256,
            summary: subject.title,
            targets: subject.files,
            diff: subject.diff,
            reason: subject.rationale,
            interactive: options.interactive,
          },
    );
    return this.deps.store.approvals.get(id);
  }

  /**
   * Records a human's decision. Approving needs an intact record (what was shown is
   * what runs) that is still pending; denying is always allowed while pending.
   */
  decide(idOrPrefix: string, decision: "approved" | "denied", decidedBy: Decider): ApprovalRecord {
    const { store } = this.deps;
    const approval = decision === "approved" ? store.approvals.getIntact(idOrPrefix) : store.approvals.get(idOrPrefix);
    if (approval.status !== "pending") throw notPending(approval.id, approval.status);
    this.deps.publishTo(approval.taskId)({
      type: "approval-decided",
      approval_id: approval.id,
      decision,
      decided_by: decidedBy,
    });
    return store.approvals.get(approval.id);
  }

  /** Spends the approval for exactly this action (tool call or diff), if one was granted; false when none was. */
  consume(taskId: string, hash: string): boolean {
    const approval = this.deps.store.approvals.findApproved(taskId, hash);
    if (!approval) return false;
    this.deps.publishTo(taskId)({ type: "approval-used", approval_id: approval.id });
    return true;
  }

  /** The latest decision on a call of a task, if there is one. */
  decisionFor(taskId: string, callId: string): ApprovalRecord | undefined {
    return this.deps.store.approvals.decisionFor(taskId, callId);
  }

  /** Who continues a decided approval's work, per kind of subject (the orchestrator resumes tool calls). */
  setResumer(kind: ApprovalSubject["kind"], resumer: Resumer<ResumeRequest, ResumeResult>): void {
    this.resumers.set(kind, resumer);
  }

  /** Continues the work that waited on a decided approval. */
  resume(idOrPrefix: string, request: ResumeRequest): Promise<ResumeResult> {
    const approval = this.deps.store.approvals.get(idOrPrefix);
    const resumer = this.resumers.get(approval.subjectKind);
    if (!resumer) throw new HobError("E_APPROVAL", `Nothing can resume ${approval.subjectKind} approvals here.`);
    return resumer(approval, request);
  }

  // Reads, for showing approvals; they change nothing but lazily mark expired ones.
  get(idOrPrefix: string): ApprovalRecord {
    return this.deps.store.approvals.get(idOrPrefix);
  }

  getIntact(idOrPrefix: string): ApprovalRecord {
    return this.deps.store.approvals.getIntact(idOrPrefix);
  }

  list(options: { status?: ApprovalStatus; taskId?: string; limit?: number } = {}): ApprovalRecord[] {
    return this.deps.store.approvals.list(options);
  }

  shortIdLength(ids: readonly string[]): number {
    return this.deps.store.approvals.shortIdLength(ids);
  }

  /** Standing approvals: domains a human let the research tools fetch from. */
  approveDomain(domain: string): void {
    this.deps.store.approvals.approveDomain(domain);
  }

  isDomainApproved(domain: string): boolean {
    return this.deps.store.approvals.isDomainApproved(domain);
  }
}

function notPending(id: string, status: ApprovalStatus): HobError {
  return new HobError("E_APPROVAL", `Approval ${id} is ${status}, not pending.`, {
    hint: status === "expired" ? "Run the task again to get a fresh approval request." : undefined,
  });
}
