import type Database from "better-sqlite3";

export interface ModelCallRecord {
  taskId: string;
  createdAt: number;
  provider: string;
  model: string;
  tier: string | null;
  attempt: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  /** A remote model with no known price: costUsd is 0 but unknown, never free. */
  costUnknown?: boolean;
  latencyMs: number;
  ok: boolean;
  errorCode: string | null;
  local?: boolean;
  cached?: boolean;
  purpose?: "answer" | "classify" | "self-check";
}

interface ModelCallRow {
  task_id: string;
  created_at: number;
  provider: string;
  model: string;
  tier: string | null;
  attempt: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  cost_unknown?: number;
  latency_ms: number;
  ok: number;
  error_code: string | null;
  local: number;
  cached: number;
  purpose: "answer" | "classify" | "self-check";
}

/** The `model_calls` table: one row per HTTP attempt, failed ones included. */
export class ModelCallRepository {
  constructor(private readonly db: Database.Database) {}

  insert(call: ModelCallRecord): void {
    this.db
      .prepare(
        `INSERT INTO model_calls (task_id, created_at, provider, model, tier, attempt, input_tokens, output_tokens,
           cache_read_tokens, cache_write_tokens, cost_usd, latency_ms, ok, error_code, local, cached, purpose, cost_unknown)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        call.taskId,
        call.createdAt,
        call.provider,
        call.model,
        call.tier,
        call.attempt,
        call.inputTokens,
        call.outputTokens,
        call.cacheReadTokens,
        call.cacheWriteTokens,
        call.costUsd,
        call.latencyMs,
        call.ok ? 1 : 0,
        call.errorCode,
        call.local ? 1 : 0,
        call.cached ? 1 : 0,
        call.purpose ?? "answer",
        call.costUnknown ? 1 : 0,
      );
  }

  forTask(taskId: string): ModelCallRecord[] {
    const rows = this.db
      .prepare("SELECT * FROM model_calls WHERE task_id = ? ORDER BY id")
      .all(taskId) as ModelCallRow[];
    return rows.map((row) => ({
      taskId: row.task_id,
      createdAt: row.created_at,
      provider: row.provider,
      model: row.model,
      tier: row.tier,
      attempt: row.attempt,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      cacheReadTokens: row.cache_read_tokens,
      cacheWriteTokens: row.cache_write_tokens,
      costUsd: row.cost_usd,
      ...(row.cost_unknown ? { costUnknown: true } : {}),
      latencyMs: row.latency_ms,
      ok: row.ok === 1,
      errorCode: row.error_code,
      local: row.local === 1,
      cached: row.cached === 1,
      purpose: row.purpose,
    }));
  }
}
