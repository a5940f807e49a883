import type Database from "better-sqlite3";

export type SkillStatus = "draft" | "validated" | "active" | "needs_review" | "disabled" | "rejected";

export interface SkillRecord {
  name: string;
  version: string;
  contentHash: string;
  kind: "script" | "instructions";
  language: string | null;
  author: "user" | "agent";
  status: SkillStatus;
  description: string;
  instructions: string;
  path: string;
  createdAt: number;
  updatedAt: number;
  usageCount: number;
  successes: number;
  failures: number;
  meanDurationMs: number | null;
  lastError: string | null;
}

interface SkillRow {
  name: string;
  version: string;
  content_hash: string;
  kind: "script" | "instructions";
  language: string | null;
  author: "user" | "agent";
  status: SkillStatus;
  description: string;
  instructions: string;
  path: string;
  created_at: number;
  updated_at: number;
  usage_count: number;
  successes: number;
  failures: number;
  mean_duration_ms: number | null;
  last_error: string | null;
}

const fromRow = (row: SkillRow): SkillRecord => ({
  name: row.name,
  version: row.version,
  contentHash: row.content_hash,
  kind: row.kind,
  language: row.language,
  author: row.author,
  status: row.status,
  description: row.description,
  instructions: row.instructions,
  path: row.path,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  usageCount: row.usage_count,
  successes: row.successes,
  failures: row.failures,
  meanDurationMs: row.mean_duration_ms,
  lastError: row.last_error,
});

export interface SkillRun {
  skill: string;
  version: string;
  taskId: string | null;
  at: number;
  ok: boolean;
  exitCode: number | null;
  durationMs: number;
  error: string | null;
  /** How the task that ran it ended; null while it runs or when run by hand. */
  taskOk?: boolean | null;
}

/** `skills`, `skill_validations`, `skill_runs` and the `skills_fts` index. */
export class SkillRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  get(name: string): SkillRecord | undefined {
    const row = this.db.prepare("SELECT * FROM skills WHERE name = ?").get(name) as SkillRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): SkillRecord[] {
    return (this.db.prepare("SELECT * FROM skills ORDER BY name").all() as SkillRow[]).map(fromRow);
  }

  /** Inserts or replaces the description of a skill version (its counters survive). */
  upsert(
    skill: Omit<
      SkillRecord,
      "createdAt" | "updatedAt" | "usageCount" | "successes" | "failures" | "meanDurationMs" | "lastError"
    >,
  ): void {
    const at = this.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO skills (name, version, content_hash, kind, language, author, status, description, instructions, path, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET version = excluded.version, content_hash = excluded.content_hash, kind = excluded.kind,
             language = excluded.language, author = excluded.author, status = excluded.status, description = excluded.description,
             instructions = excluded.instructions, path = excluded.path, updated_at = excluded.updated_at`,
        )
        .run(
          skill.name,
          skill.version,
          skill.contentHash,
          skill.kind,
          skill.language,
          skill.author,
          skill.status,
          skill.description,
          skill.instructions,
          skill.path,
          at,
          at,
        );
      this.db.prepare("DELETE FROM skills_fts WHERE name = ?").run(skill.name);
      this.db
        .prepare("INSERT INTO skills_fts (name, description, instructions) VALUES (?, ?, ?)")
        .run(skill.name.replace(/-/g, " "), skill.description, skill.instructions);
    })();
  }

  setStatus(name: string, status: SkillStatus): void {
    this.db.prepare("UPDATE skills SET status = ?, updated_at = ? WHERE name = ?").run(status, this.now(), name);
  }

  remove(name: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM skills WHERE name = ?").run(name);
      this.db.prepare("DELETE FROM skills_fts WHERE name = ?").run(name.replace(/-/g, " "));
    })();
  }

  /** Full-text search (BM25) over name, description and instructions. */
  search(query: string, limit: number): Array<SkillRecord & { rank: number }> {
    const terms = query.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
    if (terms.length === 0) return [];
    const match = terms.map((t) => `"${t}"`).join(" OR ");
    const rows = this.db
      .prepare(
        `SELECT s.*, bm25(skills_fts) AS rank FROM skills_fts JOIN skills s ON replace(s.name, '-', ' ') = skills_fts.name
         WHERE skills_fts MATCH ? ORDER BY rank LIMIT ?`,
      )
      .all(match, limit) as Array<SkillRow & { rank: number }>;
    return rows.map((row) => ({ ...fromRow(row), rank: row.rank }));
  }

  recordValidation(skill: string, version: string, contentHash: string, ok: boolean, report: unknown): void {
    this.db
      .prepare("INSERT INTO skill_validations (skill, version, content_hash, at, ok, report) VALUES (?, ?, ?, ?, ?, ?)")
      .run(skill, version, contentHash, this.now(), ok ? 1 : 0, JSON.stringify(report));
  }

  lastValidation(skill: string): { ok: boolean; report: unknown; at: number; contentHash: string } | undefined {
    const row = this.db
      .prepare("SELECT * FROM skill_validations WHERE skill = ? ORDER BY id DESC LIMIT 1")
      .get(skill) as { ok: number; report: string; at: number; content_hash: string } | undefined;
    return row
      ? { ok: row.ok === 1, report: JSON.parse(row.report), at: row.at, contentHash: row.content_hash }
      : undefined;
  }

  /** Records a run and updates the skill's counters in one transaction. */
  recordRun(run: SkillRun): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          "INSERT INTO skill_runs (skill, version, task_id, at, ok, exit_code, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .run(run.skill, run.version, run.taskId, run.at, run.ok ? 1 : 0, run.exitCode, run.durationMs, run.error);
      this.db
        .prepare(
          `UPDATE skills SET usage_count = usage_count + 1, successes = successes + ?, failures = failures + ?,
             mean_duration_ms = COALESCE((mean_duration_ms * usage_count + ?) / (usage_count + 1), ?),
             last_error = COALESCE(?, last_error), updated_at = ? WHERE name = ?`,
        )
        .run(run.ok ? 1 : 0, run.ok ? 0 : 1, run.durationMs, run.durationMs, run.error, this.now(), run.skill);
    })();
  }

  /** Links the task's outcome to the skill runs it made, once the task has ended. */
  setTaskOutcome(taskId: string, ok: boolean): void {
    this.db.prepare("UPDATE skill_runs SET task_ok = ? WHERE task_id = ? AND task_ok IS NULL").run(ok ? 1 : 0, taskId);
  }

  /**
   * A skill's runs per version and per day (UTC) since a moment: how each version did over
   * time, so a drop after a new version (or without one) shows. Days without runs are absent.
   */
  versionSeries(
    skill: string,
    sinceMs: number,
  ): Array<{ version: string; day: string; runs: number; ok: number; success_rate: number }> {
    const rows = this.db
      .prepare(
        `SELECT version, at / 86400000 AS d, COUNT(*) AS runs, COALESCE(SUM(ok), 0) AS ok FROM skill_runs
         WHERE skill = ? AND at >= ? GROUP BY version, d ORDER BY d, version`,
      )
      .all(skill, sinceMs) as Array<{ version: string; d: number; runs: number; ok: number }>;
    return rows.map((r) => ({
      version: r.version,
      day: new Date(Math.floor(r.d) * 86_400_000).toISOString().slice(0, 10),
      runs: r.runs,
      ok: r.ok,
      success_rate: Math.round((r.ok / r.runs) * 1000) / 1000,
    }));
  }

  recentRuns(skill: string, limit: number): SkillRun[] {
    const rows = this.db
      .prepare("SELECT * FROM skill_runs WHERE skill = ? ORDER BY id DESC LIMIT ?")
      .all(skill, limit) as Array<{
      skill: string;
      version: string;
      task_id: string | null;
      at: number;
      ok: number;
      exit_code: number | null;
      duration_ms: number;
      error: string | null;
      task_ok: number | null;
    }>;
    return rows.map((r) => ({
      taskOk: r.task_ok === null ? null : r.task_ok === 1,
      skill: r.skill,
      version: r.version,
      taskId: r.task_id,
      at: r.at,
      ok: r.ok === 1,
      exitCode: r.exit_code,
      durationMs: r.duration_ms,
      error: r.error,
    }));
  }
}
