import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type Database from "better-sqlite3";
import { HobError } from "../errors/index.js";
import { resolveId, uniqueIdLength } from "./ids.js";

export type ApprovalStatus = "pending" | "approved" | "denied" | "used" | "expired";

/** What an approval is for: a tool call today; a self-improvement proposal will be another kind. */
export type ApprovalSubjectKind = "tool-call" | "proposal";

export interface ApprovalRecord {
  id: string;
  subjectKind: ApprovalSubjectKind;
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
  /** Who decided (`terminal`, `cli`, `web`, …); null until someone did. */
  decidedBy: string | null;
  /** False when the row no longer matches its seal: someone edited what a human is shown. */
  intact: boolean;
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
  subject_kind: ApprovalSubjectKind;
  decided_by: string | null;
}

/**
 * The `hash` column holds `<action hash>.<seal>`. The action hash is what the tool loop
 * matches before running a call; the seal is an HMAC over that hash AND everything a
 * human is shown (tool, arguments, preview with summary, targets and diff, reason), so
 * editing the displayed columns of a row is detected: such a row is never shown as if
 * it were valid, and cannot be approved or used.
 */
function sealOf(
  key: Buffer,
  row: Pick<ApprovalRow, "task_id" | "call_id" | "tool" | "args" | "preview" | "reason">,
  hash: string,
) {
  return createHmac("sha256", key)
    .update(JSON.stringify([row.task_id, row.call_id, row.tool, row.args, row.preview, row.reason, hash]))
    .digest("hex");
}

function intact(key: Buffer, row: ApprovalRow): boolean {
  const [hash = "", seal = ""] = row.hash.split(".");
  const expected = Buffer.from(sealOf(key, row, hash), "hex");
  const given = Buffer.from(seal, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const fromRow = (key: Buffer, row: ApprovalRow): ApprovalRecord => ({
  id: row.id,
  subjectKind: row.subject_kind,
  taskId: row.task_id,
  callId: row.call_id,
  tool: row.tool,
  args: JSON.parse(row.args),
  hash: row.hash.split(".")[0] ?? "",
  preview: JSON.parse(row.preview),
  reason: row.reason,
  status: row.status,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  decidedAt: row.decided_at,
  decidedBy: row.decided_by,
  intact: intact(key, row),
});

/**
 * The seal key: a random secret in a file next to the database (mode 0600), so that
 * whoever can edit a row cannot simply recompute its seal from the row alone. An
 * in-memory database gets a key for this process only.
 */
function sealKey(db: Database.Database): Buffer {
  if (db.memory || !db.name) return randomBytes(32);
  const file = join(dirname(db.name), "approvals.key");
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new HobError("E_STORE", `Cannot create ${file}: ${(error as Error).message}.`, {
          hint: "Check that hob's home folder is writable.",
        });
      }
    }
  }
  return Buffer.from(readFileSync(file, "utf8").trim(), "hex");
}

/** The refusal for a row that does not match its seal. */
export function alteredError(id: string): HobError {
  return new HobError(
    "E_APPROVAL",
    `The approval record ${id} was altered after it was created; it is not shown or used.`,
    {
      hint: `Deny it with \`hob approvals deny ${id}\` and run the task again; check who can write to hob's database.`,
    },
  );
}

/**
 * `approvals`, the paused conversations in `task_state`, and `approved_domains`.
 * An approval is for one exact action (its hash), is used once, and expires. Only the
 * approvals room decides state changes and only the recorder writes them; this
 * repository is their SQL.
 */
export class ApprovalRepository {
  private readonly key: Buffer;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.key = sealKey(db);
  }

  /** Writes a new pending approval (the recorder does, on `approval-requested`), sealed. */
  insert(approval: Omit<ApprovalRecord, "status" | "decidedAt" | "decidedBy" | "intact">): void {
    const row = {
      task_id: approval.taskId,
      call_id: approval.callId,
      tool: approval.tool,
      args: JSON.stringify(approval.args),
      preview: JSON.stringify(approval.preview),
      reason: approval.reason,
    };
    this.db
      .prepare(
        `INSERT INTO approvals (id, subject_kind, task_id, call_id, tool, args, hash, preview, reason, status, created_at,
           expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(
        approval.id,
        approval.subjectKind,
        row.task_id,
        row.call_id,
        row.tool,
        row.args,
        `${approval.hash}.${sealOf(this.key, row, approval.hash)}`,
        row.preview,
        row.reason,
        approval.createdAt,
        approval.expiresAt,
      );
  }

  get(idOrPrefix: string): ApprovalRecord {
    this.expire();
    const id = resolveId(this.db, "approvals", idOrPrefix);
    return fromRow(this.key, this.db.prepare("SELECT * FROM approvals WHERE id = ?").get(id) as ApprovalRow);
  }

  /** How many characters of these ids to show so each stays a unique prefix (at least 8). */
  shortIdLength(ids: readonly string[]): number {
    return uniqueIdLength(this.db, "approvals", ids);
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
    return rows.map((row) => fromRow(this.key, row));
  }

  /** The approval, refused (E_APPROVAL) when its row was altered: for showing it or acting on it. */
  getIntact(idOrPrefix: string): ApprovalRecord {
    const approval = this.get(idOrPrefix);
    if (!approval.intact) throw alteredError(approval.id);
    return approval;
  }

  /** Records a decision on a pending approval; false when it was no longer pending. */
  setDecision(id: string, decision: "approved" | "denied", decidedBy: string, at: number): boolean {
    return (
      this.db
        .prepare("UPDATE approvals SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'pending'")
        .run(decision, at, decidedBy, id).changes === 1
    );
  }

  /**
   * The approved, unexpired approval for exactly this action, if there is one. A
   * matching approval whose record was altered is refused, never used.
   */
  findApproved(taskId: string, hash: string): ApprovalRecord | undefined {
    this.expire();
    const rows = this.db
      .prepare(
        `SELECT * FROM approvals WHERE task_id = ? AND (hash = ? OR hash LIKE ?) AND status = 'approved' AND expires_at > ?`,
      )
      .all(taskId, hash, `${hash.replace(/[\\%_]/g, "")}.%`, this.now()) as ApprovalRow[];
    const row = rows.find((r) => r.hash.split(".")[0] === hash);
    if (!row) return undefined;
    if (!intact(this.key, row)) throw alteredError(row.id);
    return fromRow(this.key, row);
  }

  /** Spends an approved approval (single use); false when it was not approved any more. */
  markUsed(id: string): boolean {
    return (
      this.db.prepare("UPDATE approvals SET status = 'used' WHERE id = ? AND status = 'approved'").run(id).changes === 1
    );
  }

  /** The decision on a call, if a human made one and it is still valid for this exact action. */
  decisionFor(taskId: string, callId: string): ApprovalRecord | undefined {
    this.expire();
    const row = this.db
      .prepare("SELECT * FROM approvals WHERE task_id = ? AND call_id = ? ORDER BY created_at DESC LIMIT 1")
      .get(taskId, callId) as ApprovalRow | undefined;
    return row ? fromRow(this.key, row) : undefined;
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
