import type Database from "better-sqlite3";
import { HobError } from "../errors/index.js";

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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

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
