import type Database from "better-sqlite3";
import { newId, resolveId, uniqueIdLength } from "./ids.js";

import type { TaskStatus } from "./task-status.js";

export { TASK_STATUSES, type TaskStatus } from "./task-status.js";

export interface TaskRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  input: string;
  status: TaskStatus;
  agent: string;
  tier: string | null;
  tierReason: string | null;
  model: string | null;
  output: string | null;
  error: string | null;
  errorCode: string | null;
  durationMs: number | null;
  pid: number | null;
  sessionId: string | null;
  complexity: string | null;
  classifier: string | null;
  confidence: number | null;
  escalatedFrom: string | null;
  escalationReason: string | null;
  fallback: string | null;
  workspace: string | null;
  /** The sequence number of the task's last recorded event (0 before any). */
  lastSeq: number;
  /** What the model was told beyond its prompt, per context section (null before it is packed). */
  context: TaskContext | null;
}

export interface TaskContext {
  tokens: number;
  sections: Array<{ section: string; used: number; budget: number; included: string[]; dropped: string[] }>;
}

interface TaskRow {
  id: string;
  created_at: number;
  updated_at: number;
  input: string;
  status: TaskStatus;
  agent: string;
  tier: string | null;
  tier_reason: string | null;
  model: string | null;
  output: string | null;
  error: string | null;
  error_code: string | null;
  duration_ms: number | null;
  pid: number | null;
  session_id: string | null;
  complexity: string | null;
  classifier: string | null;
  confidence: number | null;
  escalated_from: string | null;
  escalation_reason: string | null;
  fallback: string | null;
  workspace: string | null;
  last_seq: number;
  context: string | null;
}

function fromRow(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    input: row.input,
    status: row.status,
    agent: row.agent,
    tier: row.tier,
    tierReason: row.tier_reason,
    model: row.model,
    output: row.output,
    error: row.error,
    errorCode: row.error_code,
    durationMs: row.duration_ms,
    pid: row.pid,
    sessionId: row.session_id,
    complexity: row.complexity,
    classifier: row.classifier,
    confidence: row.confidence,
    escalatedFrom: row.escalated_from,
    escalationReason: row.escalation_reason,
    fallback: row.fallback,
    workspace: row.workspace,
    lastSeq: row.last_seq ?? 0,
    context: row.context ? (JSON.parse(row.context) as TaskContext) : null,
  };
}

export interface TaskUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  /** Some call went to a remote model with no known price: costUsd is a lower bound. */
  costUnknown: boolean;
}

export type TaskWithUsage = TaskRecord & TaskUsage;

interface UsageRow {
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  cost_unknown: number | null;
}

const USAGE_COLUMNS = `COUNT(c.id) AS calls, COALESCE(SUM(c.input_tokens), 0) AS input_tokens,
  COALESCE(SUM(c.output_tokens), 0) AS output_tokens, COALESCE(SUM(c.cache_read_tokens), 0) AS cache_read_tokens,
  COALESCE(SUM(c.cache_write_tokens), 0) AS cache_write_tokens, COALESCE(SUM(c.cost_usd), 0) AS cost_usd,
  COALESCE(MAX(c.cost_unknown), 0) AS cost_unknown`;

function usageFromRow(row: UsageRow): TaskUsage {
  return {
    calls: row.calls,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    costUsd: row.cost_usd,
    costUnknown: row.cost_unknown === 1,
  };
}

export interface NewTask {
  /** Given by the recorder, which names the task before its first event; new otherwise. */
  id?: string;
  createdAt?: number;
  input: string;
  workspace?: string;
  agent?: string;
  tier?: string;
  tierReason?: string;
  model?: string;
  sessionId?: string;
}

/** How routing placed a task (set once the cascade has decided). */
export interface TaskRoute {
  agent: string;
  tier: string;
  model: string;
  reason: string;
  /** Unknown (null) when no classifier ran: agent and tier were both forced. */
  complexity: string | null;
  classifier: string;
  confidence: number | null;
}

export interface TaskOutcome {
  status: Exclude<TaskStatus, "running" | "awaiting_approval">;
  output: string;
  error?: { code: string; message: string };
  durationMs: number;
}

/** The `tasks` table. Every write is one statement, so a crash leaves whole rows. */
export class TaskRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  create(task: NewTask): TaskRecord {
    const at = task.createdAt ?? this.now();
    const id = task.id ?? newId(at);
    this.db
      .prepare(
        `INSERT INTO tasks (id, created_at, updated_at, input, status, agent, tier, tier_reason, model, pid, session_id,
           workspace)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        at,
        at,
        task.input,
        task.agent ?? "general",
        task.tier ?? null,
        task.tierReason ?? null,
        task.model ?? null,
        process.pid,
        task.sessionId ?? null,
        task.workspace ?? null,
      );
    return this.get(id);
  }

  /** Marks a task as waiting for a human (or running again after one decided). */
  setStatus(id: string, status: "running" | "awaiting_approval", output?: string): void {
    this.db
      .prepare("UPDATE tasks SET status = ?, output = COALESCE(?, output), pid = ?, updated_at = ? WHERE id = ?")
      .run(status, output ?? null, status === "running" ? process.pid : null, this.now(), id);
  }

  setWorkspace(id: string, workspace: string): void {
    this.db.prepare("UPDATE tasks SET workspace = ?, updated_at = ? WHERE id = ?").run(workspace, this.now(), id);
  }

  setContext(id: string, context: TaskContext): void {
    this.db.prepare("UPDATE tasks SET context = ? WHERE id = ?").run(JSON.stringify(context), id);
  }

  setRoute(id: string, route: TaskRoute): void {
    this.db
      .prepare(
        `UPDATE tasks SET agent = ?, tier = ?, model = ?, tier_reason = ?, complexity = ?, classifier = ?, confidence = ?,
           updated_at = ? WHERE id = ?`,
      )
      .run(
        route.agent,
        route.tier,
        route.model,
        route.reason,
        route.complexity,
        route.classifier,
        route.confidence,
        this.now(),
        id,
      );
  }

  /** The tier and model that actually answered, and how it got there. */
  setServed(
    id: string,
    served: { tier: string; model: string; escalatedFrom?: string; escalationReason?: string; fallback?: string },
  ): void {
    this.db
      .prepare(
        `UPDATE tasks SET tier = ?, model = ?, escalated_from = COALESCE(escalated_from, ?),
           escalation_reason = COALESCE(escalation_reason, ?), fallback = COALESCE(fallback, ?), updated_at = ?
         WHERE id = ?`,
      )
      .run(
        served.tier,
        served.model,
        served.escalatedFrom ?? null,
        served.escalationReason ?? null,
        served.fallback ?? null,
        this.now(),
        id,
      );
  }

  /** Remembers the last event's sequence number, so a resumed task's events continue from it. */
  setLastSeq(id: string, seq: number): void {
    this.db.prepare("UPDATE tasks SET last_seq = MAX(last_seq, ?) WHERE id = ?").run(seq, id);
  }

  /** Saves the text streamed so far, so a crash keeps what the user already saw. */
  saveProgress(id: string, output: string): void {
    this.db.prepare("UPDATE tasks SET output = ?, updated_at = ? WHERE id = ?").run(output, this.now(), id);
  }

  finish(id: string, outcome: TaskOutcome): TaskRecord {
    this.db
      .prepare(
        `UPDATE tasks SET status = ?, output = ?, error = ?, error_code = ?, duration_ms = ?, updated_at = ?, pid = NULL
         WHERE id = ?`,
      )
      .run(
        outcome.status,
        outcome.output,
        outcome.error?.message ?? null,
        outcome.error?.code ?? null,
        outcome.durationMs,
        this.now(),
        id,
      );
    return this.get(id);
  }

  /** Finds a task by its full id or a unique prefix of it (an ambiguous prefix names the candidates). */
  get(idOrPrefix: string): TaskRecord {
    const id = resolveId(this.db, "tasks", idOrPrefix);
    return fromRow(this.db.prepare("SELECT * FROM tasks WHERE id = ?").get(id) as TaskRow);
  }

  /** How many characters of these ids to show so each stays a unique prefix (at least 8). */
  shortIdLength(ids: readonly string[]): number {
    return uniqueIdLength(this.db, "tasks", ids);
  }

  /**
   * Newest first, each with the totals of its model calls. `before` is a keyset cursor:
   * only tasks strictly older than that (created_at, id) pair (the last one of a page).
   */
  list(options: { limit: number; status?: TaskStatus; before?: { createdAt: number; id: string } }): TaskWithUsage[] {
    // The page is chosen first (from an index, in order), then only its tasks' calls are summed:
    // grouping the whole join before the LIMIT made a page cost the entire history.
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.status) {
      where.push("status = ?");
      params.push(options.status);
    }
    if (options.before) {
      where.push("(created_at, id) < (?, ?)");
      params.push(options.before.createdAt, options.before.id);
    }
    const rows = this.db
      .prepare(
        `WITH page AS (
           SELECT * FROM tasks ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
           ORDER BY created_at DESC, id DESC LIMIT ?)
         SELECT t.*, ${USAGE_COLUMNS} FROM page t LEFT JOIN model_calls c ON c.task_id = t.id
         GROUP BY t.id ORDER BY t.created_at DESC, t.id DESC`,
      )
      .all(...params, options.limit) as Array<TaskRow & UsageRow>;
    return rows.map((row) => ({ ...fromRow(row), ...usageFromRow(row) }));
  }

  /** One task with the totals of its model calls. */
  getWithUsage(idOrPrefix: string): TaskWithUsage {
    const task = this.get(idOrPrefix);
    const row = this.db
      .prepare(`SELECT ${USAGE_COLUMNS} FROM model_calls c WHERE c.task_id = ?`)
      .get(task.id) as UsageRow;
    return { ...task, ...usageFromRow(row) };
  }

  /**
   * Marks tasks left `running` by a process that no longer exists as `interrupted`.
   * Called on every start, so a `kill -9` shows up on the next command.
   */
  markInterrupted(isAlive: (pid: number) => boolean): number {
    const running = this.db.prepare("SELECT id, pid FROM tasks WHERE status = 'running'").all() as Array<{
      id: string;
      pid: number | null;
    }>;
    const dead = running.filter((row) => row.pid === null || (row.pid !== process.pid && !isAlive(row.pid)));
    const update = this.db.prepare(
      `UPDATE tasks SET status = 'interrupted', error_code = 'E_INTERRUPTED',
         error = 'hob stopped before this task finished (crash, kill or power loss).', updated_at = ?, pid = NULL
       WHERE id = ? AND status = 'running'`,
    );
    this.db.transaction(() => {
      for (const row of dead) update.run(this.now(), row.id);
    })();
    return dead.length;
  }
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
