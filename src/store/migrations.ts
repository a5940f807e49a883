import type Database from "better-sqlite3";
import { HobError } from "../errors/index.js";

/** A day: the granularity of the stats summary (a --since window reads its first, partial day raw). */
export const STATS_BUCKET_MS = 86_400_000;

/** Costs are summed as integer picodollars (exact under any order of adds and subtracts). */
export const PICO_PER_USD = 1e12;

/**
 * Forward-only migrations. Each entry moves the schema from version `index` to
 * `index + 1`; the version lives in `PRAGMA user_version`. Never edit a shipped
 * migration: add a new one, and a test that migrates a database made by the old.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: tasks and the model calls made for them.
  `
  CREATE TABLE tasks (
    id           TEXT PRIMARY KEY,
    created_at   INTEGER NOT NULL,          -- ms since epoch
    updated_at   INTEGER NOT NULL,
    input        TEXT NOT NULL,
    status       TEXT NOT NULL,             -- running | succeeded | failed | cancelled | interrupted
    agent        TEXT NOT NULL DEFAULT 'general',
    tier         TEXT,
    tier_reason  TEXT,
    model        TEXT,
    output       TEXT,
    error        TEXT,
    error_code   TEXT,
    duration_ms  INTEGER,
    pid          INTEGER                    -- the process running it, to detect crashes
  );
  CREATE INDEX tasks_created_at ON tasks (created_at);
  CREATE INDEX tasks_status ON tasks (status);

  CREATE TABLE model_calls (
    id                 INTEGER PRIMARY KEY,
    task_id            TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    created_at         INTEGER NOT NULL,
    provider           TEXT NOT NULL,
    model              TEXT NOT NULL,
    tier               TEXT,
    attempt            INTEGER NOT NULL DEFAULT 1,
    input_tokens       INTEGER NOT NULL DEFAULT 0,
    output_tokens      INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd           REAL NOT NULL DEFAULT 0,
    latency_ms         INTEGER,
    ok                 INTEGER NOT NULL,
    error_code         TEXT
  );
  CREATE INDEX model_calls_task ON model_calls (task_id);
  CREATE INDEX model_calls_created_at ON model_calls (created_at);
  `,
  // 2: chat sessions, so the turns of one `hob chat` can be told apart in history.
  `
  CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'chat'
  );
  ALTER TABLE tasks ADD COLUMN session_id TEXT REFERENCES sessions (id);
  CREATE INDEX tasks_session ON tasks (session_id);
  `,
  // 3: routing (classifier, escalation, fallback), local and cached calls, the response cache.
  `
  ALTER TABLE tasks ADD COLUMN complexity TEXT;
  ALTER TABLE tasks ADD COLUMN classifier TEXT;
  ALTER TABLE tasks ADD COLUMN confidence REAL;
  ALTER TABLE tasks ADD COLUMN escalated_from TEXT;
  ALTER TABLE tasks ADD COLUMN escalation_reason TEXT;
  ALTER TABLE tasks ADD COLUMN fallback TEXT;
  ALTER TABLE model_calls ADD COLUMN local INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE model_calls ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE model_calls ADD COLUMN purpose TEXT NOT NULL DEFAULT 'answer';  -- answer | classify | self-check

  CREATE TABLE response_cache (
    key         TEXT PRIMARY KEY,             -- sha256 of the canonical request
    model_name  TEXT NOT NULL,
    response    TEXT NOT NULL,                -- JSON: text, tool calls, usage, who answered
    bytes       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    hits        INTEGER NOT NULL DEFAULT 0,
    last_hit_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX response_cache_expires ON response_cache (expires_at);
  `,
  // 4: agents: every tool step, the file-access audit, approvals, paused conversations.
  `
  ALTER TABLE tasks ADD COLUMN workspace TEXT;
  CREATE TABLE task_steps (
    id          INTEGER PRIMARY KEY,
    task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    step        INTEGER NOT NULL,
    tool        TEXT NOT NULL,
    call_id     TEXT NOT NULL,
    args        TEXT NOT NULL,                -- JSON
    status      TEXT NOT NULL,                -- success | error | denied | awaiting_approval
    result      TEXT,
    error_code  TEXT,
    created_at  INTEGER NOT NULL,
    duration_ms INTEGER
  );
  CREATE INDEX task_steps_task ON task_steps (task_id);

  CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    task_id   TEXT,
    operation TEXT NOT NULL,
    path      TEXT NOT NULL,
    resolved  TEXT,
    allowed   INTEGER NOT NULL,
    reason    TEXT
  );
  CREATE INDEX audit_at ON audit (at);

  CREATE TABLE approvals (
    id          TEXT PRIMARY KEY,
    task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    call_id     TEXT NOT NULL,
    tool        TEXT NOT NULL,
    args        TEXT NOT NULL,                -- JSON, canonical
    hash        TEXT NOT NULL,                -- sha256 of tool, canonical args, resolved paths and target state
    preview     TEXT NOT NULL,                -- JSON: what the human was shown
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL,                -- pending | approved | denied | used | expired
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    decided_at  INTEGER
  );
  CREATE INDEX approvals_task ON approvals (task_id);

  CREATE TABLE task_state (
    task_id    TEXT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    state      TEXT NOT NULL,                 -- JSON: the conversation and the calls still to run
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE approved_domains (
    domain      TEXT PRIMARY KEY,
    approved_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 5: skills, their validations and runs, and full-text search over them.
  `
  CREATE TABLE skills (
    name             TEXT PRIMARY KEY,
    version          TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    kind             TEXT NOT NULL,            -- script | instructions
    language         TEXT,
    author           TEXT NOT NULL,            -- user | agent
    status           TEXT NOT NULL,            -- draft | validated | active | needs_review | disabled | rejected
    description      TEXT NOT NULL,
    instructions     TEXT NOT NULL,
    path             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    usage_count      INTEGER NOT NULL DEFAULT 0,
    successes        INTEGER NOT NULL DEFAULT 0,
    failures         INTEGER NOT NULL DEFAULT 0,
    mean_duration_ms REAL,
    last_error       TEXT
  );
  CREATE TABLE skill_validations (
    id           INTEGER PRIMARY KEY,
    skill        TEXT NOT NULL,
    version      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    at           INTEGER NOT NULL,
    ok           INTEGER NOT NULL,
    report       TEXT NOT NULL                 -- JSON: findings and test results
  );
  CREATE INDEX skill_validations_skill ON skill_validations (skill);
  CREATE TABLE skill_runs (
    id          INTEGER PRIMARY KEY,
    skill       TEXT NOT NULL,
    version     TEXT NOT NULL,
    task_id     TEXT,
    at          INTEGER NOT NULL,
    ok          INTEGER NOT NULL,
    exit_code   INTEGER,
    duration_ms INTEGER NOT NULL,
    error       TEXT,
    task_ok     INTEGER                        -- how the task that ran it ended (null until it does)
  );
  CREATE INDEX skill_runs_skill ON skill_runs (skill, at);
  CREATE VIRTUAL TABLE skills_fts USING fts5 (name, description, instructions, tokenize = 'porter unicode61');
  `,
  // 6: a call to a remote model with no known price: cost_usd is 0 there but unknown, never free.
  `
  ALTER TABLE model_calls ADD COLUMN cost_unknown INTEGER NOT NULL DEFAULT 0;
  `,
  // 7: the event stream's per-task sequence number (continued across resumes), and approvals that say
  //    what kind of thing they approve (a tool call today, a proposal later) and who decided.
  `
  ALTER TABLE tasks ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE approvals ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'tool-call';
  ALTER TABLE approvals ADD COLUMN decided_by TEXT;
  `,
  // 8: self-improvement: each analysis run, and the proposals it made (their approvals live in approvals,
  //    subject_kind 'proposal', bound to the diff's sha256). One open proposal per finding.
  `
  CREATE TABLE improve_runs (
    id           TEXT PRIMARY KEY,
    task_id      TEXT REFERENCES tasks (id),      -- the run as a task: its model calls and cost
    trigger      TEXT NOT NULL,                   -- manual | schedule | missed
    status       TEXT NOT NULL,                   -- running | succeeded | failed | interrupted
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    since        INTEGER,                         -- history analysed: tasks created after this
    findings     TEXT NOT NULL DEFAULT '[]',      -- JSON
    proposals    INTEGER NOT NULL DEFAULT 0,
    cost_usd     REAL NOT NULL DEFAULT 0,
    error        TEXT,
    pid          INTEGER
  );
  CREATE INDEX improve_runs_started ON improve_runs (started_at);

  CREATE TABLE proposals (
    id           TEXT PRIMARY KEY,
    run_id       TEXT REFERENCES improve_runs (id),
    task_id      TEXT NOT NULL REFERENCES tasks (id),
    finding_key  TEXT NOT NULL,
    kind         TEXT NOT NULL,                   -- new_skill | skill_patch | agent_change | routing_change
    title        TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    evidence     TEXT NOT NULL,                   -- JSON
    diff         TEXT NOT NULL,                   -- unified diff against the managed repository
    diff_sha256  TEXT NOT NULL,
    files        TEXT NOT NULL,                   -- JSON: the paths the diff touches
    validation   TEXT NOT NULL,                   -- JSON: each check and its result
    status       TEXT NOT NULL,                   -- pending | approved | applied | rejected | failed | rolled_back
    approval_id  TEXT,
    commit_sha   TEXT,
    revert_sha   TEXT,
    error        TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX proposals_open_finding ON proposals (finding_key)
    WHERE status IN ('pending', 'approved', 'applied');
  `,
  // 9: the dashboard's keyset pages of tasks (newest first, optionally by status) read an index
  //    in order instead of sorting the table.
  `
  CREATE INDEX tasks_page ON tasks (created_at DESC, id DESC);
  CREATE INDEX tasks_status_page ON tasks (status, created_at DESC, id DESC);
  `,
  // 10: memory — what hob remembers (finished tasks, facts the user told it, imported notes),
  //     with a full-text index kept in step by triggers. Vectors live in the vector store
  //     (sqlite-vec tables made on first use, or ChromaDB); each row records which embedder
  //     and dimension its vector was made with, so a changed embedder is noticed.
  `
  CREATE TABLE memories (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,                     -- task | fact | note
    text        TEXT NOT NULL,
    metadata    TEXT NOT NULL DEFAULT '{}',        -- JSON object of strings, numbers, booleans
    task_id     TEXT REFERENCES tasks (id) ON DELETE SET NULL,
    success     INTEGER,                           -- tasks: 1 or 0; facts and notes: NULL
    cost_usd    REAL,
    created_at  INTEGER NOT NULL,
    embedder    TEXT,                              -- e.g. builtin/hash-384; NULL: not embedded (yet)
    dimensions  INTEGER
  );
  CREATE INDEX memories_task ON memories (task_id);
  CREATE INDEX memories_created ON memories (created_at);
  CREATE VIRTUAL TABLE memories_fts USING fts5 (
    text, content = 'memories', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
  );
  -- hob_fts_text (registered by Store.open) spaces out CJK and Thai characters: see fts-text.ts.
  CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, text) VALUES (new.rowid, hob_fts_text(new.text));
  END;
  CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.rowid, hob_fts_text(old.text));
  END;
  CREATE TRIGGER memories_fts_update AFTER UPDATE OF text ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.rowid, hob_fts_text(old.text));
    INSERT INTO memories_fts (rowid, text) VALUES (new.rowid, hob_fts_text(new.text));
  END;
  -- What a task's model was told beyond its prompt: each context section's included and dropped ids.
  ALTER TABLE tasks ADD COLUMN context TEXT;
  `,
  // 11: running totals for `hob stats`, so it does not read the whole history: see statsSummarySql.
  statsSummarySql(),
  // 12: spend budgets. A cloud call's worst-case cost is reserved here (in a BEGIN IMMEDIATE
  //     transaction, so every process sharing the database sees it) before the call, and the row
  //     is deleted once the call's actual cost is recorded in model_calls. A row whose process is
  //     gone, or that outlived expires_at, no longer counts (see BudgetRepository).
  `
  CREATE TABLE budget_reservations (
    id          INTEGER PRIMARY KEY,
    task_id     TEXT,                        -- the task the call is for (NULL outside a task)
    amount_usd  REAL NOT NULL,               -- the call's worst case
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    pid         INTEGER NOT NULL             -- the process making the call
  );
  CREATE INDEX budget_reservations_task ON budget_reservations (task_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Migration 11. Two summary tables kept in step by triggers:
 * - `stats_calls`: model calls per day (UTC) of their `created_at` and per provider, model, ok,
 *   purpose, local, cached (totals, per model, the routing split);
 * - `stats_tasks`: tasks per day (UTC) of their `created_at` and per tier, status, escalated,
 *   fallback, with the totals of each task's calls whenever they were made (per tier), and how
 *   many of those tasks have a call of unknown cost.
 * A task's row in `stats_tasks` depends on the task and all its calls, so every change to
 * either takes the task's contribution out before the change (BEFORE trigger) and puts it
 * back after (AFTER trigger), recomputed from the rows as they are then. Existing history is
 * summed in once, here.
 */
function statsSummarySql(): string {
  const bucket = (column: string) => `${column} / ${STATS_BUCKET_MS}`;
  const cost = (column: string) => `CAST(ROUND(${column} * ${PICO_PER_USD}) AS INTEGER)`;
  const callKey = "bucket, provider, model, ok, purpose, local, cached";
  const callSums = [
    "calls",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cost_pico",
    "cost_unknown_calls",
  ];
  const taskKey = "bucket, has_tier, tier, status, escalated, fallback";
  const taskSums = ["tasks", "unknown_tasks", "failed_calls", ...callSums];
  const upsert = (key: string, sums: string[]) =>
    `ON CONFLICT (${key}) DO UPDATE SET ${sums.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`;
  const callRow = (row: "new" | "old", sign: string) => `
    INSERT INTO stats_calls (${callKey}, ${callSums.join(", ")})
    VALUES (${bucket(`${row}.created_at`)}, ${row}.provider, ${row}.model, ${row}.ok, ${row}.purpose, ${row}.local,
      ${row}.cached, ${sign}1, ${sign}${row}.input_tokens, ${sign}${row}.output_tokens, ${sign}${row}.cache_read_tokens,
      ${sign}${row}.cache_write_tokens, ${sign}${cost(`${row}.cost_usd`)}, ${sign}${row}.cost_unknown)
    ${upsert(callKey, callSums)};`;
  /** Adds (sign '') or removes (sign '-') the contribution of the task with this id, as the rows are now. */
  const taskRow = (id: string, sign: string) => `
    INSERT INTO stats_tasks (${taskKey}, ${taskSums.join(", ")})
    SELECT ${bucket("t.created_at")}, t.tier IS NOT NULL, COALESCE(t.tier, ''), t.status, t.escalated_from IS NOT NULL,
      t.fallback IS NOT NULL, ${sign}1, ${sign}(c.unknown > 0), ${sign}c.failed_calls, ${sign}c.calls, ${sign}c.input_tokens,
      ${sign}c.output_tokens, ${sign}c.cache_read_tokens, ${sign}c.cache_write_tokens, ${sign}c.cost_pico,
      ${sign}c.cost_unknown_calls
    FROM tasks t, (
      SELECT COUNT(*) AS calls, COALESCE(SUM(ok = 0), 0) AS failed_calls, COALESCE(SUM(input_tokens), 0) AS input_tokens,
        COALESCE(SUM(output_tokens), 0) AS output_tokens, COALESCE(SUM(cache_read_tokens), 0) AS cache_read_tokens,
        COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens, COALESCE(SUM(${cost("cost_usd")}), 0) AS cost_pico,
        COALESCE(SUM(cost_unknown), 0) AS cost_unknown_calls, COALESCE(SUM(cost_unknown = 1), 0) AS unknown
      FROM model_calls WHERE task_id = ${id}) c
    WHERE t.id = ${id}
    ${upsert(taskKey, taskSums)};`;
  const taskColumns = "id, created_at, tier, status, escalated_from, fallback";
  return `
  CREATE TABLE stats_calls (
    bucket INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, ok INTEGER NOT NULL, purpose TEXT NOT NULL,
    local INTEGER NOT NULL, cached INTEGER NOT NULL,
    ${callSums.map((c) => `${c} INTEGER NOT NULL`).join(", ")},
    PRIMARY KEY (${callKey})
  ) WITHOUT ROWID;
  CREATE TABLE stats_tasks (
    bucket INTEGER NOT NULL, has_tier INTEGER NOT NULL, tier TEXT NOT NULL, status TEXT NOT NULL,
    escalated INTEGER NOT NULL, fallback INTEGER NOT NULL,
    ${taskSums.map((c) => `${c} INTEGER NOT NULL`).join(", ")},
    PRIMARY KEY (${taskKey})
  ) WITHOUT ROWID;

  INSERT INTO stats_calls (${callKey}, ${callSums.join(", ")})
  SELECT ${bucket("created_at")}, provider, model, ok, purpose, local, cached, COUNT(*), SUM(input_tokens),
    SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(${cost("cost_usd")}), SUM(cost_unknown)
  FROM model_calls GROUP BY 1, 2, 3, 4, 5, 6, 7;

  INSERT INTO stats_tasks (${taskKey}, ${taskSums.join(", ")})
  SELECT ${bucket("t.created_at")}, t.tier IS NOT NULL, COALESCE(t.tier, ''), t.status, t.escalated_from IS NOT NULL,
    t.fallback IS NOT NULL, COUNT(*), ${["c.unknown > 0", ...taskSums.slice(2).map((c) => `c.${c}`)]
      .map((sum) => `COALESCE(SUM(${sum}), 0)`)
      .join(", ")}
  FROM tasks t LEFT JOIN (
    SELECT task_id, COUNT(*) AS calls, SUM(ok = 0) AS failed_calls, SUM(input_tokens) AS input_tokens,
      SUM(output_tokens) AS output_tokens, SUM(cache_read_tokens) AS cache_read_tokens,
      SUM(cache_write_tokens) AS cache_write_tokens, SUM(${cost("cost_usd")}) AS cost_pico,
      SUM(cost_unknown) AS cost_unknown_calls, SUM(cost_unknown = 1) AS unknown
    FROM model_calls GROUP BY task_id
  ) c ON c.task_id = t.id
  GROUP BY 1, 2, 3, 4, 5, 6;

  CREATE TRIGGER stats_calls_insert AFTER INSERT ON model_calls BEGIN ${callRow("new", "")} END;
  CREATE TRIGGER stats_calls_delete AFTER DELETE ON model_calls BEGIN ${callRow("old", "-")} END;
  CREATE TRIGGER stats_calls_update AFTER UPDATE ON model_calls BEGIN ${callRow("old", "-")} ${callRow("new", "")} END;

  CREATE TRIGGER stats_tasks_call_before_insert BEFORE INSERT ON model_calls BEGIN ${taskRow("new.task_id", "-")} END;
  CREATE TRIGGER stats_tasks_call_after_insert AFTER INSERT ON model_calls BEGIN ${taskRow("new.task_id", "")} END;
  CREATE TRIGGER stats_tasks_call_before_delete BEFORE DELETE ON model_calls BEGIN ${taskRow("old.task_id", "-")} END;
  CREATE TRIGGER stats_tasks_call_after_delete AFTER DELETE ON model_calls BEGIN ${taskRow("old.task_id", "")} END;
  CREATE TRIGGER stats_tasks_call_before_update BEFORE UPDATE ON model_calls BEGIN
    ${taskRow("old.task_id", "-")}
    ${taskRow("new.task_id", "-").replace("WHERE t.id = new.task_id", "WHERE t.id = new.task_id AND new.task_id IS NOT old.task_id")}
  END;
  CREATE TRIGGER stats_tasks_call_after_update AFTER UPDATE ON model_calls BEGIN
    ${taskRow("old.task_id", "")}
    ${taskRow("new.task_id", "").replace("WHERE t.id = new.task_id", "WHERE t.id = new.task_id AND new.task_id IS NOT old.task_id")}
  END;

  CREATE TRIGGER stats_tasks_insert AFTER INSERT ON tasks BEGIN ${taskRow("new.id", "")} END;
  CREATE TRIGGER stats_tasks_delete BEFORE DELETE ON tasks BEGIN ${taskRow("old.id", "-")} END;
  CREATE TRIGGER stats_tasks_before_update BEFORE UPDATE OF ${taskColumns} ON tasks BEGIN ${taskRow("old.id", "-")} END;
  CREATE TRIGGER stats_tasks_after_update AFTER UPDATE OF ${taskColumns} ON tasks BEGIN ${taskRow("new.id", "")} END;
  `;
}

/** Applies every migration past the database's version, each in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new HobError(
      "E_STORE",
      `The database is at schema version ${current}, newer than this hob understands (${migrations.length}).`,
      { hint: "Upgrade hob, or point HOB_HOME at another directory." },
    );
  }
  for (let version = current; version < migrations.length; version++) {
    const sql = migrations[version] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return migrations.length;
}
