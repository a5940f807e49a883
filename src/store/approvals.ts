import type Database from "better-sqlite3";
import { HobError } from "../errors/index.js";
import { newId } from "./ids.js";

export type ApprovalStatus = "pending" | "approved" | "denied" | "used" | "expired";

export interface ApprovalRecord {
  id: string;
  taskId: string;
  callId: string;
  tool: string;
  args: unknown;
  hash: string;
  preview: unknown;
  reason: string;
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
}

interface ApprovalRow {
  id: string;
  task_id: string;
  call_id: string;
  tool: string;
  args: string;
  hash: string;
  preview: string;
  reason: string;
  status: ApprovalStatus;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
}

const fromRow = (row: ApprovalRow): ApprovalRecord => ({
  id: row.id,
  taskId: row.task_id,
  callId: row.call_id,
  tool: row.tool,
  args: JSON.parse(row.args),
  hash: row.hash,
  preview: JSON.parse(row.preview),
  reason: row.reason,
  status: row.status,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  decidedAt: row.decided_at,
});

/**
 * `approvals`, the paused conversations in `task_state`, and `approved_domains`.
 * An approval is for one exact action (its hash), is used once, and expires.
 */
export class ApprovalRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  create(approval: Omit<ApprovalRecord, "id" | "status" | "createdAt" | "decidedAt">): ApprovalRecord {
    const at = this.now();
    const id = newId(at);
    this.db
      .prepare(
        `INSERT INTO approvals (id, task_id, call_id, tool, args, hash, preview, reason, status, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(
        id,
        approval.taskId,
        approval.callId,
        approval.tool,
        JSON.stringify(approval.args),
        approval.hash,
        JSON.stringify(approval.preview),
        approval.reason,
        at,
        approval.expiresAt,
      );
    return this.get(id);
  }

  get(idOrPrefix: string): ApprovalRecord {
    this.expire();
    const rows = this.db
      .prepare("SELECT * FROM approvals WHERE id = ? OR id LIKE ? LIMIT 2")
      .all(idOrPrefix, `${idOrPrefix.replace(/[\\%_]/g, "")}%`) as ApprovalRow[];
    const exact = rows.find((row) => row.id === idOrPrefix);
    if (exact) return fromRow(exact);
    if (rows.length === 1) return fromRow(rows[0] as ApprovalRow);
    if (rows.length > 1) throw new HobError("E_USAGE", `More than one approval id starts with "${idOrPrefix}".`);
    throw new HobError("E_NOT_FOUND", `No approval with id "${idOrPrefix}".`, {
      hint: "`hob approvals list` shows the pending ones.",
    });
  }

  list(options: { status?: ApprovalStatus; taskId?: string; limit?: number } = {}): ApprovalRecord[] {
    this.expire();
    const rows = this.db
      .prepare(
        `SELECT * FROM approvals WHERE (? IS NULL OR status = ?) AND (? IS NULL OR task_id = ?)
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(
        options.status ?? null,
        options.status ?? null,
        options.taskId ?? null,
        options.taskId ?? null,
        options.limit ?? 100,
      ) as ApprovalRow[];
    return rows.map(fromRow);
  }

  decide(id: string, decision: "approved" | "denied"): ApprovalRecord {
    const approval = this.get(id);
    if (approval.status !== "pending") {
      throw new HobError("E_APPROVAL", `Approval ${approval.id} is ${approval.status}, not pending.`, {
        hint: approval.status === "expired" ? "Run the task again to get a fresh approval request." : undefined,
      });
    }
    this.db
      .prepare("UPDATE approvals SET status = ?, decided_at = ? WHERE id = ?")
      .run(decision, this.now(), approval.id);
    return this.get(approval.id);
  }

  /** Takes an approved, unexpired approval for exactly this action; false when there is none. */
  consume(taskId: string, hash: string): boolean {
    this.expire();
    const result = this.db
      .prepare(
        `UPDATE approvals SET status = 'used' WHERE id = (
           SELECT id FROM approvals WHERE task_id = ? AND hash = ? AND status = 'approved' AND expires_at > ? LIMIT 1)`,
      )
      .run(taskId, hash, this.now());
    return result.changes === 1;
  }

  /** The decision on a call, if a human made one and it is still valid for this exact action. */
  decisionFor(taskId: string, callId: string): ApprovalRecord | undefined {
    this.expire();
    const row = this.db
      .prepare("SELECT * FROM approvals WHERE task_id = ? AND call_id = ? ORDER BY created_at DESC LIMIT 1")
      .get(taskId, callId) as ApprovalRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  saveState(taskId: string, state: unknown): void {
    this.db
      .prepare(
        `INSERT INTO task_state (task_id, state, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (task_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      )
      .run(taskId, JSON.stringify(state), this.now());
  }

  loadState(taskId: string): unknown {
    const row = this.db.prepare("SELECT state FROM task_state WHERE task_id = ?").get(taskId) as
      | { state: string }
      | undefined;
    return row ? JSON.parse(row.state) : undefined;
  }

  clearState(taskId: string): void {
    this.db.prepare("DELETE FROM task_state WHERE task_id = ?").run(taskId);
  }

  approveDomain(domain: string): void {
    this.db
      .prepare("INSERT OR IGNORE INTO approved_domains (domain, approved_at) VALUES (?, ?)")
      .run(domain, this.now());
  }

  isDomainApproved(domain: string): boolean {
    return this.db.prepare("SELECT 1 FROM approved_domains WHERE domain = ?").get(domain) !== undefined;
  }

  private expire(): void {
    this.db
      .prepare("UPDATE approvals SET status = 'expired' WHERE status IN ('pending', 'approved') AND expires_at <= ?")
      .run(this.now());
  }
}
