import type Database from "better-sqlite3";

export interface AuditRecord {
  at: number;
  taskId: string | null;
  operation: string;
  path: string;
  resolved: string | null;
  allowed: boolean;
  reason: string | null;
}

/** `audit`: every file access a tool attempted, allowed or denied. */
export class AuditRepository {
  constructor(private readonly db: Database.Database) {}

  insert(entry: AuditRecord): void {
    this.db
      .prepare(
        "INSERT INTO audit (at, task_id, operation, path, resolved, allowed, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(entry.at, entry.taskId, entry.operation, entry.path, entry.resolved, entry.allowed ? 1 : 0, entry.reason);
  }

  list(options: { limit: number; deniedOnly?: boolean; taskId?: string }): AuditRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit WHERE (? = 0 OR allowed = 0) AND (? IS NULL OR task_id = ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(options.deniedOnly ? 1 : 0, options.taskId ?? null, options.taskId ?? null, options.limit) as Array<{
      at: number;
      task_id: string | null;
      operation: string;
      path: string;
      resolved: string | null;
      allowed: number;
      reason: string | null;
    }>;
    return rows.map((row) => ({
      at: row.at,
      taskId: row.task_id,
      operation: row.operation,
      path: row.path,
      resolved: row.resolved,
      allowed: row.allowed === 1,
      reason: row.reason,
    }));
  }
}
