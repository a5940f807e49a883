import type Database from "better-sqlite3";

export type StepStatus = "success" | "error" | "denied" | "awaiting_approval";

export interface StepRecord {
  taskId: string;
  step: number;
  tool: string;
  callId: string;
  args: unknown;
  status: StepStatus;
  result: string | null;
  errorCode: string | null;
  createdAt: number;
  durationMs: number | null;
}

/** `task_steps`: one row per tool call an agent made, whatever became of it. */
export class StepRepository {
  constructor(private readonly db: Database.Database) {}

  insert(step: StepRecord): void {
    this.db
      .prepare(
        `INSERT INTO task_steps (task_id, step, tool, call_id, args, status, result, error_code, created_at, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        step.taskId,
        step.step,
        step.tool,
        step.callId,
        JSON.stringify(step.args),
        step.status,
        step.result === null ? null : step.result.slice(0, 4000),
        step.errorCode,
        step.createdAt,
        step.durationMs,
      );
  }

  forTask(taskId: string): StepRecord[] {
    const rows = this.db.prepare("SELECT * FROM task_steps WHERE task_id = ? ORDER BY id").all(taskId) as Array<{
      task_id: string;
      step: number;
      tool: string;
      call_id: string;
      args: string;
      status: StepStatus;
      result: string | null;
      error_code: string | null;
      created_at: number;
      duration_ms: number | null;
    }>;
    return rows.map((row) => ({
      taskId: row.task_id,
      step: row.step,
      tool: row.tool,
      callId: row.call_id,
      args: JSON.parse(row.args),
      status: row.status,
      result: row.result,
      errorCode: row.error_code,
      createdAt: row.created_at,
      durationMs: row.duration_ms,
    }));
  }
}
