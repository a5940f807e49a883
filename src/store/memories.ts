import type Database from "better-sqlite3";
import { HobError } from "../errors/index.js";

export type MemoryKind = "task" | "fact" | "note";
export type MemoryMetadata = Record<string, string | number | boolean>;

export interface MemoryRecord {
  id: string;
  kind: MemoryKind;
  text: string;
  metadata: MemoryMetadata;
  taskId: string | null;
  success: boolean | null;
  costUsd: number | null;
  createdAt: number;
  /** `provider/model` of the embedder its vector was made with; null when it has none. */
  embedder: string | null;
  dimensions: number | null;
}

export type NewMemory = Omit<MemoryRecord, "embedder" | "dimensions">;

interface MemoryRow {
  id: string;
  kind: MemoryKind;
  text: string;
  metadata: string;
  task_id: string | null;
  success: number | null;
  cost_usd: number | null;
  created_at: number;
  embedder: string | null;
  dimensions: number | null;
}

function fromRow(row: MemoryRow): MemoryRecord {
  return {
    id: row.id,
    kind: row.kind,
    text: row.text,
    metadata: JSON.parse(row.metadata) as MemoryMetadata,
    taskId: row.task_id,
    success: row.success === null ? null : row.success === 1,
    costUsd: row.cost_usd,
    createdAt: row.created_at,
    embedder: row.embedder,
    dimensions: row.dimensions,
  };
}

/**
 * Rows of what hob remembers, and their full-text index (FTS5, BM25). Written only by the
 * memory room, which also keeps the vector store in step with these rows.
 */
export class MemoryRepository {
  /** Statements used per row of an import, prepared once (preparing per row cost more than the insert). */
  private readonly statements: { insert?: Database.Statement; find?: Database.Statement } = {};

  constructor(private readonly db: Database.Database) {}

  insert(memory: NewMemory): void {
    this.statements.insert ??= this.db.prepare(
      `INSERT INTO memories (id, kind, text, metadata, task_id, success, cost_usd, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.statements.insert.run(
      memory.id,
      memory.kind,
      memory.text,
      JSON.stringify(memory.metadata),
      memory.taskId,
      memory.success === null ? null : memory.success ? 1 : 0,
      memory.costUsd,
      memory.createdAt,
    );
  }

  /** Many rows in one transaction (an import). */
  insertMany(memories: NewMemory[]): void {
    this.db.transaction(() => {
      for (const memory of memories) this.insert(memory);
    })();
  }

  find(id: string): MemoryRecord | undefined {
    this.statements.find ??= this.db.prepare("SELECT * FROM memories WHERE id = ?");
    const row = this.statements.find.get(id) as MemoryRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  get(id: string): MemoryRecord {
    const found = this.find(id);
    if (!found) {
      throw new HobError("E_NOT_FOUND", `There is no memory ${id}.`, {
        hint: 'See the ids with `hob memory search "…"` or `hob memory list`.',
      });
    }
    return found;
  }

  byIds(ids: string[]): Map<string, MemoryRecord> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .prepare(`SELECT * FROM memories WHERE id IN (${ids.map(() => "?").join(",")})`)
      .all(...ids) as MemoryRow[];
    return new Map(rows.map((row) => [row.id, fromRow(row)]));
  }

  forTask(taskId: string): MemoryRecord[] {
    return (
      this.db.prepare("SELECT * FROM memories WHERE task_id = ? ORDER BY created_at").all(taskId) as MemoryRow[]
    ).map(fromRow);
  }

  list(options: { limit: number; kind?: MemoryKind }): MemoryRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM memories ${options.kind ? "WHERE kind = ?" : ""} ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(...(options.kind ? [options.kind] : []), options.limit) as MemoryRow[];
    return rows.map(fromRow);
  }

  delete(ids: string[]): number {
    if (ids.length === 0) return 0;
    return this.db.prepare(`DELETE FROM memories WHERE id IN (${ids.map(() => "?").join(",")})`).run(...ids).changes;
  }

  /**
   * Full-text matches, best first, with BM25 (lower is better in SQLite; returned as is).
   * `match` is an FTS5 query the caller built from quoted terms.
   */
  searchText(match: string, limit: number, kinds?: MemoryKind[]): Array<{ id: string; bm25: number }> {
    if (match.trim().length === 0) return [];
    // The kinds are filtered before the LIMIT: many close task memories must not crowd out a fact.
    const byKind = kinds && kinds.length > 0 ? `AND m.kind IN (${kinds.map(() => "?").join(",")})` : "";
    return this.db
      .prepare(
        `SELECT m.id AS id, bm25(memories_fts) AS bm25 FROM memories_fts JOIN memories m ON m.rowid = memories_fts.rowid
         WHERE memories_fts MATCH ? ${byKind} ORDER BY bm25 LIMIT ?`,
      )
      .all(match, ...(kinds ?? []), limit) as Array<{ id: string; bm25: number }>;
  }

  markEmbedded(ids: string[], embedder: string, dimensions: number): void {
    const mark = this.db.prepare("UPDATE memories SET embedder = ?, dimensions = ? WHERE id = ?");
    this.db.transaction(() => {
      for (const id of ids) mark.run(embedder, dimensions, id);
    })();
  }

  /** Rows whose vector is missing or was made by another embedder, oldest first. */
  needingEmbedding(embedder: string, limit: number, afterId = ""): MemoryRecord[] {
    return (
      this.db
        .prepare(`SELECT * FROM memories WHERE (embedder IS NULL OR embedder != ?) AND id > ? ORDER BY id LIMIT ?`)
        .all(embedder, afterId, limit) as MemoryRow[]
    ).map(fromRow);
  }

  /** Every row, in id order, a page at a time (a reindex). */
  page(afterId: string, limit: number): MemoryRecord[] {
    return (
      this.db.prepare("SELECT * FROM memories WHERE id > ? ORDER BY id LIMIT ?").all(afterId, limit) as MemoryRow[]
    ).map(fromRow);
  }

  counts(): { total: number; byKind: Record<string, number>; byEmbedder: Record<string, number> } {
    const kinds = this.db.prepare("SELECT kind, COUNT(*) AS n FROM memories GROUP BY kind").all() as Array<{
      kind: string;
      n: number;
    }>;
    const embedders = this.db
      .prepare("SELECT COALESCE(embedder, '(none)') AS embedder, COUNT(*) AS n FROM memories GROUP BY 1")
      .all() as Array<{ embedder: string; n: number }>;
    return {
      total: kinds.reduce((sum, k) => sum + k.n, 0),
      byKind: Object.fromEntries(kinds.map((k) => [k.kind, k.n])),
      byEmbedder: Object.fromEntries(embedders.map((e) => [e.embedder, e.n])),
    };
  }
}
