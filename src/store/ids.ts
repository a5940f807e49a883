import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import { HobError } from "../errors/index.js";

/** Short, time-ordered ids: 8 base-36 chars of milliseconds + 4 random. */
export function newId(now: number): string {
  const time = now.toString(36).padStart(9, "0").slice(-9);
  const random = randomBytes(4).readUInt32BE(0).toString(36).padStart(7, "0").slice(-4);
  return `${time}${random}`;
}

/** The tables whose ids users type (whole or as a prefix). */
export type IdTable = "tasks" | "approvals" | "sessions" | "proposals" | "improve_runs";

const NOUN: Record<IdTable, { noun: string; list: string }> = {
  tasks: { noun: "task", list: "`hob history` lists recent tasks and their ids." },
  approvals: { noun: "approval", list: "`hob approvals list --all` lists approvals and their ids." },
  sessions: { noun: "session", list: "`hob history --json` shows each task's session_id." },
  proposals: { noun: "proposal", list: "`hob proposals list` lists proposals and their ids." },
  improve_runs: { noun: "improvement run", list: "`hob improve status --json` lists recent runs." },
};

/**
 * The full id for an id or a unique prefix of it. An unknown one is E_NOT_FOUND; an
 * ambiguous prefix is E_USAGE naming the candidates.
 */
export function resolveId(db: Database.Database, table: IdTable, idOrPrefix: string): string {
  const { noun, list } = NOUN[table];
  const exact = db.prepare(`SELECT id FROM ${table} WHERE id = ?`).get(idOrPrefix) as { id: string } | undefined;
  if (exact) return exact.id;
  // Every id that starts with the prefix sorts at or after it, and all of them come before any
  // id that does not: a range scan of the primary key from the prefix finds them (LIKE used no
  // index and read the whole table).
  const matches = (
    db.prepare(`SELECT id FROM ${table} WHERE id >= ? ORDER BY id LIMIT 6`).all(idOrPrefix) as Array<{ id: string }>
  )
    .map((row) => row.id)
    .filter((id) => id.startsWith(idOrPrefix));
  if (idOrPrefix.length > 0 && matches.length === 1) return matches[0] as string;
  if (matches.length > 1) {
    const shown = matches.slice(0, 5).join(", ") + (matches.length > 5 ? ", …" : "");
    throw new HobError("E_USAGE", `More than one ${noun} id starts with "${idOrPrefix}": ${shown}.`, {
      hint: `Give more characters of the id. ${list}`,
    });
  }
  throw new HobError("E_NOT_FOUND", `No ${noun} with id "${idOrPrefix}".`, { hint: list });
}

/**
 * How many characters of these ids to show so that each is still a unique prefix among
 * every id in the table: at least `min`, more only when a neighbour shares a longer prefix.
 */
export function uniqueIdLength(db: Database.Database, table: IdTable, ids: readonly string[], min = 8): number {
  const before = db.prepare(`SELECT id FROM ${table} WHERE id < ? ORDER BY id DESC LIMIT 1`);
  const after = db.prepare(`SELECT id FROM ${table} WHERE id > ? ORDER BY id LIMIT 1`);
  const common = (a: string, b: string | undefined) => {
    if (b === undefined) return 0;
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return i;
  };
  let length = min;
  for (const id of ids) {
    const prev = (before.get(id) as { id: string } | undefined)?.id;
    const next = (after.get(id) as { id: string } | undefined)?.id;
    length = Math.max(length, Math.min(id.length, Math.max(common(id, prev), common(id, next)) + 1));
  }
  return length;
}
