import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { HobError } from "../errors/index.js";
import { ApprovalRepository } from "./approvals.js";
import { AuditRepository } from "./audit.js";
import { BudgetRepository } from "./budgets.js";
import { Database } from "./driver.js";
import { ftsText } from "./fts-text.js";
import { newId } from "./ids.js";
import { ImproveRunRepository, ProposalRepository } from "./improve.js";
import { MemoryRepository } from "./memories.js";
import { MIGRATIONS, migrate } from "./migrations.js";
import { ModelCallRepository } from "./model-calls.js";
import { ResponseCacheRepository } from "./response-cache.js";
import { computeSeries, type SeriesBucket, type SeriesPoint } from "./series.js";
import { listSessions, type SessionSummary, type SessionTurn, sessionTurnsOf } from "./sessions.js";
import { SkillRepository } from "./skills.js";
import { type CounterfactualPrice, computeStats, type Stats } from "./stats.js";
import { StepRepository } from "./steps.js";
import { processIsAlive, TaskRepository } from "./tasks.js";

export interface StoreOptions {
  /** Injected so tests and benchmarks control time. */
  now?: () => number;
  migrations?: readonly string[];
  /** Skip the crash sweep (used by the migration test to inspect raw state). */
  sweepInterrupted?: boolean;
}

/** The SQLite store: one file, WAL mode, migrated on open, repositories per table group. */
export class Store {
  readonly tasks: TaskRepository;
  readonly modelCalls: ModelCallRepository;
  readonly responseCache: ResponseCacheRepository;
  readonly steps: StepRepository;
  readonly audit: AuditRepository;
  readonly approvals: ApprovalRepository;
  readonly skills: SkillRepository;
  readonly improveRuns: ImproveRunRepository;
  readonly proposals: ProposalRepository;
  readonly memories: MemoryRepository;
  readonly budgets: BudgetRepository;
  readonly schemaVersion: number;
  /** How many tasks the crash sweep on open marked `interrupted`. */
  readonly interruptedOnOpen: number;

  private constructor(
    readonly db: Database,
    private readonly now: () => number,
    options: StoreOptions,
  ) {
    this.schemaVersion = migrate(db, options.migrations ?? MIGRATIONS);
    this.tasks = new TaskRepository(db, now);
    this.modelCalls = new ModelCallRepository(db);
    this.responseCache = new ResponseCacheRepository(db);
    this.steps = new StepRepository(db);
    this.audit = new AuditRepository(db);
    this.approvals = new ApprovalRepository(db, now);
    this.skills = new SkillRepository(db, now);
    this.improveRuns = new ImproveRunRepository(db, now);
    this.proposals = new ProposalRepository(db, now);
    this.memories = new MemoryRepository(db);
    this.budgets = new BudgetRepository(db, now);
    this.interruptedOnOpen = options.sweepInterrupted === false ? 0 : this.tasks.markInterrupted(processIsAlive);
    if (options.sweepInterrupted !== false) this.improveRuns.markInterrupted(processIsAlive);
  }

  static open(file: string, options: StoreOptions = {}): Store {
    let db: Database;
    try {
      mkdirSync(dirname(file), { recursive: true });
      db = new Database(file);
      // WAL: readers never block the writer, and a killed process leaves committed rows intact.
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      db.function("hob_fts_text", { deterministic: true }, (text: unknown) => ftsText(String(text ?? "")));
    } catch (error) {
      throw new HobError("E_STORE", `Cannot open the database at ${file}: ${(error as Error).message}.`, {
        hint: "Check that HOB_HOME is writable, or run `hob doctor`.",
        cause: error,
      });
    }
    return new Store(db, options.now ?? Date.now, options);
  }

  createSession(kind = "chat"): string {
    const at = this.now();
    const id = newId(at);
    this.db.prepare("INSERT INTO sessions (id, created_at, kind) VALUES (?, ?, ?)").run(id, at, kind);
    return id;
  }

  /** The chat session with the most recent turn (or, without turns, the newest one). */
  lastSession(kind = "chat"): string | undefined {
    const row = this.db
      .prepare(
        `SELECT s.id FROM sessions s LEFT JOIN tasks t ON t.session_id = s.id WHERE s.kind = ?
         GROUP BY s.id ORDER BY MAX(COALESCE(t.created_at, s.created_at)) DESC, s.id DESC LIMIT 1`,
      )
      .get(kind) as { id: string } | undefined;
    return row?.id;
  }

  /** The answered turns of a session, oldest first: the context a continued conversation carries. */
  sessionTurns(sessionId: string): Array<{ input: string; output: string }> {
    return this.db
      .prepare(
        `SELECT input, COALESCE(output, '') AS output FROM tasks WHERE session_id = ? AND status = 'succeeded'
         ORDER BY created_at, id`,
      )
      .all(sessionId) as Array<{ input: string; output: string }>;
  }

  stats(sinceMs: number | null, counterfactual?: CounterfactualPrice): Stats {
    return computeStats(this.db, sinceMs, counterfactual);
  }

  /** Tasks, cost and where answers ran, per hour or day, every bucket present. */
  series(sinceMs: number, bucket: SeriesBucket, nowMs = this.now()): { bucket: SeriesBucket; items: SeriesPoint[] } {
    return computeSeries(this.db, sinceMs, nowMs, bucket);
  }

  /** Sessions of a kind, the most recently used first. */
  sessions(kind = "chat", limit = 50): SessionSummary[] {
    return listSessions(this.db, kind, limit);
  }

  /** A session's turns (answered or not), oldest first; undefined for an unknown id. */
  session(id: string): { kind: string; turns: SessionTurn[] } | undefined {
    return sessionTurnsOf(this.db, id);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
