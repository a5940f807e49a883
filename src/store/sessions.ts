import type Database from "better-sqlite3";

export interface SessionSummary {
  id: string;
  kind: string;
  createdAt: number;
  /** The newest turn's time, or the session's own without turns. */
  lastAt: number;
  turns: number;
  /** The first turn's input (shortened), or null for a session without turns. */
  title: string | null;
}

export interface SessionTurn {
  taskId: string;
  input: string;
  output: string | null;
  status: string;
  createdAt: number;
}

const TITLE_CHARS = 80;

/** Sessions of a kind, the most recently used first. */
export function listSessions(db: Database.Database, kind: string, limit: number): SessionSummary[] {
  const rows = db
    .prepare(
      `SELECT s.id, s.kind, s.created_at AS createdAt, MAX(COALESCE(t.created_at, s.created_at)) AS lastAt,
         COUNT(t.id) AS turns,
         (SELECT input FROM tasks f WHERE f.session_id = s.id ORDER BY f.created_at, f.id LIMIT 1) AS title
       FROM sessions s LEFT JOIN tasks t ON t.session_id = s.id WHERE s.kind = ?
       GROUP BY s.id ORDER BY lastAt DESC, s.id DESC LIMIT ?`,
    )
    .all(kind, limit) as SessionSummary[];
  return rows.map((row) => ({ ...row, title: row.title === null ? null : shorten(row.title) }));
}

/** Every turn of a session (answered or not), oldest first; undefined when there is no such session. */
export function sessionTurnsOf(db: Database.Database, id: string): { kind: string; turns: SessionTurn[] } | undefined {
  const session = db.prepare("SELECT kind FROM sessions WHERE id = ?").get(id) as { kind: string } | undefined;
  if (!session) return undefined;
  const turns = db
    .prepare(
      `SELECT id AS taskId, input, output, status, created_at AS createdAt FROM tasks WHERE session_id = ?
       ORDER BY created_at, id`,
    )
    .all(id) as SessionTurn[];
  return { kind: session.kind, turns };
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= TITLE_CHARS ? line : `${line.slice(0, TITLE_CHARS - 1)}…`;
}
