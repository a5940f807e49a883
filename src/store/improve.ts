import type Database from "better-sqlite3";
import { newId, resolveId, uniqueIdLength } from "./ids.js";

export type ImproveRunStatus = "running" | "succeeded" | "failed" | "interrupted";
export type ImproveTrigger = "manual" | "schedule" | "missed";

export interface ImproveRunRecord {
  id: string;
  taskId: string | null;
  trigger: ImproveTrigger;
  status: ImproveRunStatus;
  startedAt: number;
  finishedAt: number | null;
  since: number | null;
  findings: unknown[];
  proposals: number;
  costUsd: number;
  error: string | null;
}

interface RunRow {
  id: string;
  task_id: string | null;
  trigger: ImproveTrigger;
  status: ImproveRunStatus;
  started_at: number;
  finished_at: number | null;
  since: number | null;
  findings: string;
  proposals: number;
  cost_usd: number;
  error: string | null;
}

const runFromRow = (row: RunRow): ImproveRunRecord => ({
  id: row.id,
  taskId: row.task_id,
  trigger: row.trigger,
  status: row.status,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  since: row.since,
  findings: JSON.parse(row.findings) as unknown[],
  proposals: row.proposals,
  costUsd: row.cost_usd,
  error: row.error,
});

/** `improve_runs`: one row per analysis run (`hob improve run`, or the schedule of `hob serve`). */
export class ImproveRunRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  start(run: { trigger: ImproveTrigger; since: number | null }): ImproveRunRecord {
    const at = this.now();
    const id = newId(at);
    this.db
      .prepare(
        "INSERT INTO improve_runs (id, trigger, status, started_at, since, pid) VALUES (?, ?, 'running', ?, ?, ?)",
      )
      .run(id, run.trigger, at, run.since, process.pid);
    return this.get(id);
  }

  setTask(id: string, taskId: string): void {
    this.db.prepare("UPDATE improve_runs SET task_id = ? WHERE id = ?").run(taskId, id);
  }

  finish(
    id: string,
    outcome: {
      status: "succeeded" | "failed";
      findings: unknown[];
      proposals: number;
      costUsd: number;
      error?: string;
    },
  ): ImproveRunRecord {
    this.db
      .prepare(
        `UPDATE improve_runs SET status = ?, finished_at = ?, findings = ?, proposals = ?, cost_usd = ?, error = ?, pid = NULL
         WHERE id = ?`,
      )
      .run(
        outcome.status,
        this.now(),
        JSON.stringify(outcome.findings),
        outcome.proposals,
        outcome.costUsd,
        outcome.error ?? null,
        id,
      );
    return this.get(id);
  }

  get(idOrPrefix: string): ImproveRunRecord {
    const id = resolveId(this.db, "improve_runs", idOrPrefix);
    return runFromRow(this.db.prepare("SELECT * FROM improve_runs WHERE id = ?").get(id) as RunRow);
  }

  /** The newest runs first. */
  list(limit = 20): ImproveRunRecord[] {
    return (
      this.db.prepare("SELECT * FROM improve_runs ORDER BY started_at DESC, id DESC LIMIT ?").all(limit) as RunRow[]
    ).map(runFromRow);
  }

  /** The last run that finished well: the next analysis starts where it did. */
  lastSucceeded(): ImproveRunRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM improve_runs WHERE status = 'succeeded' ORDER BY started_at DESC, id DESC LIMIT 1")
      .get() as RunRow | undefined;
    return row ? runFromRow(row) : undefined;
  }

  /** Runs whose process died: marked `interrupted` (their proposals stay as they were). */
  markInterrupted(isAlive: (pid: number) => boolean): number {
    const rows = this.db.prepare("SELECT id, pid FROM improve_runs WHERE status = 'running'").all() as Array<{
      id: string;
      pid: number | null;
    }>;
    let marked = 0;
    for (const row of rows) {
      if (row.pid !== null && row.pid !== process.pid && isAlive(row.pid)) continue;
      if (row.pid === process.pid) continue;
      this.db
        .prepare("UPDATE improve_runs SET status = 'interrupted', finished_at = ?, pid = NULL WHERE id = ?")
        .run(this.now(), row.id);
      marked++;
    }
    return marked;
  }
}

export type ProposalKind = "new_skill" | "skill_patch" | "agent_change" | "routing_change";
export const PROPOSAL_STATUSES = ["pending", "approved", "applied", "rejected", "failed", "rolled_back"] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export interface ValidationCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface ProposalRecord {
  id: string;
  runId: string | null;
  taskId: string;
  findingKey: string;
  kind: ProposalKind;
  title: string;
  rationale: string;
  evidence: unknown;
  diff: string;
  diffSha256: string;
  files: string[];
  validation: ValidationCheck[];
  status: ProposalStatus;
  approvalId: string | null;
  commitSha: string | null;
  revertSha: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

interface ProposalRow {
  id: string;
  run_id: string | null;
  task_id: string;
  finding_key: string;
  kind: ProposalKind;
  title: string;
  rationale: string;
  evidence: string;
  diff: string;
  diff_sha256: string;
  files: string;
  validation: string;
  status: ProposalStatus;
  approval_id: string | null;
  commit_sha: string | null;
  revert_sha: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

const proposalFromRow = (row: ProposalRow): ProposalRecord => ({
  id: row.id,
  runId: row.run_id,
  taskId: row.task_id,
  findingKey: row.finding_key,
  kind: row.kind,
  title: row.title,
  rationale: row.rationale,
  evidence: JSON.parse(row.evidence),
  diff: row.diff,
  diffSha256: row.diff_sha256,
  files: JSON.parse(row.files) as string[],
  validation: JSON.parse(row.validation) as ValidationCheck[],
  status: row.status,
  approvalId: row.approval_id,
  commitSha: row.commit_sha,
  revertSha: row.revert_sha,
  error: row.error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export type NewProposal = Omit<
  ProposalRecord,
  "id" | "status" | "approvalId" | "commitSha" | "revertSha" | "error" | "createdAt" | "updatedAt"
> & { status: "pending" | "failed" | "rejected"; error?: string };

/**
 * `proposals`: what self-improvement wants to change, and where each proposal stands.
 * Every state change is compare-and-swap (`transition` names the state it expects),
 * so two processes approving at once apply once. Only the improve room writes here.
 */
export class ProposalRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  /** Inserts a proposal; undefined when an open one already exists for the same finding. */
  insert(proposal: NewProposal): ProposalRecord | undefined {
    const at = this.now();
    const id = newId(at);
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO proposals (id, run_id, task_id, finding_key, kind, title, rationale, evidence, diff,
           diff_sha256, files, validation, status, error, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        proposal.runId,
        proposal.taskId,
        proposal.findingKey,
        proposal.kind,
        proposal.title,
        proposal.rationale,
        JSON.stringify(proposal.evidence),
        proposal.diff,
        proposal.diffSha256,
        JSON.stringify(proposal.files),
        JSON.stringify(proposal.validation),
        proposal.status,
        proposal.error ?? null,
        at,
        at,
      );
    return result.changes === 1 ? this.get(id) : undefined;
  }

  /** Whether an open (pending, approved or applied) proposal exists for a finding. */
  hasOpen(findingKey: string): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM proposals WHERE finding_key = ? AND status IN ('pending', 'approved', 'applied')")
        .get(findingKey) !== undefined
    );
  }

  setApproval(id: string, approvalId: string): void {
    this.db
      .prepare("UPDATE proposals SET approval_id = ?, updated_at = ? WHERE id = ?")
      .run(approvalId, this.now(), id);
  }

  /**
   * Moves a proposal from `from` to `to` (and sets the given fields) only if it is still
   * in `from`; false when another process moved it first.
   */
  transition(
    id: string,
    from: ProposalStatus,
    to: ProposalStatus,
    fields: { commitSha?: string; revertSha?: string; error?: string | null } = {},
  ): boolean {
    return (
      this.db
        .prepare(
          `UPDATE proposals SET status = ?, commit_sha = COALESCE(?, commit_sha), revert_sha = COALESCE(?, revert_sha),
             error = CASE WHEN ? THEN ? ELSE error END, updated_at = ?
           WHERE id = ? AND status = ?`,
        )
        .run(
          to,
          fields.commitSha ?? null,
          fields.revertSha ?? null,
          fields.error !== undefined ? 1 : 0,
          fields.error ?? null,
          this.now(),
          id,
          from,
        ).changes === 1
    );
  }

  get(idOrPrefix: string): ProposalRecord {
    const id = resolveId(this.db, "proposals", idOrPrefix);
    return proposalFromRow(this.db.prepare("SELECT * FROM proposals WHERE id = ?").get(id) as ProposalRow);
  }

  list(options: { status?: ProposalStatus; runId?: string; limit?: number } = {}): ProposalRecord[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM proposals WHERE (? IS NULL OR status = ?) AND (? IS NULL OR run_id = ?)
           ORDER BY created_at DESC, id DESC LIMIT ?`,
        )
        .all(
          options.status ?? null,
          options.status ?? null,
          options.runId ?? null,
          options.runId ?? null,
          options.limit ?? 100,
        ) as ProposalRow[]
    ).map(proposalFromRow);
  }

  shortIdLength(ids: readonly string[]): number {
    return uniqueIdLength(this.db, "proposals", ids);
  }
}
