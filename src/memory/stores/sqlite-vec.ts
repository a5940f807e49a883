/**
 * The embedded vector store: sqlite-vec `vec0` tables inside hob's own SQLite database.
 *
 * Layout (all names start with `memory_vec_`):
 * - `memory_vec_spaces(space, table_name, dimensions)`: one row per embedding space.
 * - `memory_vec_<sha1-8 of space>`: a vec0 table, `embedding float[N] distance_metric=cosine`,
 *   keyed by a BigInt rowid.
 * - `memory_vec_ids(vec_rowid, space, id, metadata)`: string id ↔ rowid, and the metadata as JSON
 *   (returned with hits). `vec_rowid` is unique across spaces.
 * - `memory_vec_meta(space, key, value, vec_rowid)`: one row per metadata key, the value tagged with
 *   its type (`s:text`, `n:1.5`, `b:true`), so a filter is an exact index lookup. A filtered query is a
 *   vec0 KNN with `rowid IN (…)`, so it returns k hits whenever k rows match.
 * Metadata keys are free-form, which rules out vec0's metadata columns (declared at creation).
 */
import { createHash } from "node:crypto";
import type { Database, Statement } from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { HobError, isHobError } from "../../errors/index.js";
import {
  checkIds,
  checkQuery,
  checkRecords,
  checkSpace,
  closedError,
  lastById,
  type MetadataValue,
  type SqliteVecOptions,
  type VectorFilter,
  type VectorHit,
  type VectorRecord,
  type VectorStore,
} from "./types.js";

/** Loads sqlite-vec into the connection unless it is there already (safe to call twice). */
export function loadSqliteVec(db: Database): void {
  try {
    db.prepare("SELECT vec_version()").pluck().get();
    return;
  } catch {
    // not loaded yet
  }
  try {
    sqliteVec.load(db);
  } catch (error) {
    throw new HobError("E_STORE", `The sqlite-vec extension could not be loaded: ${(error as Error).message}`, {
      hint: "Reinstall the dependencies (`npm ci`), or set `memory.store: chroma` in hob.yaml.",
      cause: error,
    });
  }
}

/** The vec0 table of a space: a fixed prefix and 8 hex digits, so it is always a safe identifier. */
export function vecTableName(space: string): string {
  return `memory_vec_${createHash("sha1").update(space).digest("hex").slice(0, 8)}`;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS memory_vec_spaces (
  space TEXT PRIMARY KEY,
  table_name TEXT NOT NULL UNIQUE,
  dimensions INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS memory_vec_ids (
  vec_rowid INTEGER PRIMARY KEY,
  space TEXT NOT NULL,
  id TEXT NOT NULL,
  metadata TEXT NOT NULL,
  UNIQUE (space, id)
);
CREATE TABLE IF NOT EXISTS memory_vec_meta (
  space TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  vec_rowid INTEGER NOT NULL,
  PRIMARY KEY (space, key, value, vec_rowid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memory_vec_meta_rowid ON memory_vec_meta (vec_rowid);
`;

/** A metadata value as one comparable string that keeps its type: 1, "1" and true differ. */
function encodeValue(value: MetadataValue): string {
  if (typeof value === "string") return `s:${value}`;
  if (typeof value === "number") return `n:${String(value)}`;
  return `b:${String(value)}`;
}

function vectorBlob(vector: number[]): Buffer {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
}

/** SQLite failures (disk full, locked, closed connection) as E_STORE; our own errors pass. */
function storeError(error: unknown, doing: string): HobError {
  if (isHobError(error)) return error;
  return new HobError("E_STORE", `The sqlite-vec store failed to ${doing}: ${(error as Error)?.message ?? error}`, {
    hint: "Check that HOB_HOME is writable and not full, or run `hob doctor`.",
    cause: error,
  });
}

const DELETE_CHUNK = 500;

class SqliteVecStore implements VectorStore {
  readonly kind = "sqlite" as const;
  private closed = false;
  private readonly table: string;
  private readonly statements: {
    selectRowid: Statement<[string, string], number>;
    insertId: Statement<[string, string, string]>;
    updateMetadata: Statement<[string, number]>;
    deleteId: Statement<[number]>;
    insertVector: Statement<[bigint, Buffer]>;
    updateVector: Statement<[Buffer, bigint]>;
    deleteVector: Statement<[bigint]>;
    insertMeta: Statement<[string, string, string, number]>;
    deleteMeta: Statement<[number]>;
    count: Statement<[string], number>;
    knn: Statement<[Buffer, number]>;
  };
  private readonly filtered = new Map<number, Statement>();

  constructor(
    private readonly db: Database,
    readonly space: string,
    readonly dimensions: number,
  ) {
    this.table = vecTableName(space);
    const t = this.table;
    this.statements = {
      selectRowid: db
        .prepare<[string, string], number>("SELECT vec_rowid FROM memory_vec_ids WHERE space = ? AND id = ?")
        .pluck(),
      insertId: db.prepare("INSERT INTO memory_vec_ids (space, id, metadata) VALUES (?, ?, ?)"),
      updateMetadata: db.prepare("UPDATE memory_vec_ids SET metadata = ? WHERE vec_rowid = ?"),
      deleteId: db.prepare("DELETE FROM memory_vec_ids WHERE vec_rowid = ?"),
      insertVector: db.prepare(`INSERT INTO ${t} (rowid, embedding) VALUES (?, ?)`),
      updateVector: db.prepare(`UPDATE ${t} SET embedding = ? WHERE rowid = ?`),
      deleteVector: db.prepare(`DELETE FROM ${t} WHERE rowid = ?`),
      insertMeta: db.prepare("INSERT INTO memory_vec_meta (space, key, value, vec_rowid) VALUES (?, ?, ?, ?)"),
      deleteMeta: db.prepare("DELETE FROM memory_vec_meta WHERE vec_rowid = ?"),
      count: db.prepare<[string], number>("SELECT count(*) FROM memory_vec_ids WHERE space = ?").pluck(),
      knn: db.prepare(
        `WITH knn AS (SELECT rowid, distance FROM ${t} WHERE embedding MATCH ? AND k = ?)
         SELECT i.id AS id, i.metadata AS metadata, knn.distance AS distance
         FROM knn JOIN memory_vec_ids i ON i.vec_rowid = knn.rowid ORDER BY knn.distance`,
      ),
    };
  }

  /** Creates the tables of this space, or checks that the existing ones hold vectors of this size. */
  static open(db: Database, space: string, dimensions: number): SqliteVecStore {
    checkSpace(space, dimensions);
    loadSqliteVec(db);
    const table = vecTableName(space);
    try {
      db.transaction(() => {
        db.exec(SCHEMA);
        const existing = db
          .prepare("SELECT table_name, dimensions FROM memory_vec_spaces WHERE space = ?")
          .get(space) as { table_name: string; dimensions: number } | undefined;
        if (existing && existing.dimensions !== dimensions) {
          throw new HobError(
            "E_VALIDATION",
            `The vector space "${space}" holds ${existing.dimensions}-dimensional vectors, not ${dimensions}.`,
            { hint: "Name the space after the embedder and its size, or clear it and reindex." },
          );
        }
        if (!existing) {
          const owner = db.prepare("SELECT space FROM memory_vec_spaces WHERE table_name = ?").pluck().get(table);
          if (owner !== undefined) {
            throw new HobError("E_CONFLICT", `The vector spaces "${space}" and "${owner}" hash to the same table.`, {
              hint: "Rename one of the spaces.",
            });
          }
          db.prepare("INSERT INTO memory_vec_spaces (space, table_name, dimensions) VALUES (?, ?, ?)").run(
            space,
            table,
            dimensions,
          );
        }
        db.exec(
          `CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING vec0(embedding float[${dimensions}] distance_metric=cosine)`,
        );
      })();
      return new SqliteVecStore(db, space, dimensions);
    } catch (error) {
      throw storeError(error, `open the space "${space}"`);
    }
  }

  private live(): void {
    if (this.closed) throw closedError(this.kind, this.space);
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    this.live();
    checkRecords(records, this.dimensions, this.space);
    const s = this.statements;
    try {
      this.db.transaction((batch: VectorRecord[]) => {
        for (const record of batch) {
          const blob = vectorBlob(record.vector);
          const metadata = JSON.stringify(record.metadata);
          let rowid = s.selectRowid.get(this.space, record.id);
          if (rowid === undefined) {
            rowid = Number(s.insertId.run(this.space, record.id, metadata).lastInsertRowid);
            s.insertVector.run(BigInt(rowid), blob);
          } else {
            s.updateMetadata.run(metadata, rowid);
            s.updateVector.run(blob, BigInt(rowid));
            s.deleteMeta.run(rowid);
          }
          for (const [key, value] of Object.entries(record.metadata)) {
            s.insertMeta.run(this.space, key, encodeValue(value), rowid);
          }
        }
      })(lastById(records));
    } catch (error) {
      throw storeError(error, "save vectors");
    }
  }

  async delete(ids: string[]): Promise<void> {
    this.live();
    checkIds(ids);
    const s = this.statements;
    try {
      this.db.transaction(() => {
        for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
          for (const id of ids.slice(start, start + DELETE_CHUNK)) {
            const rowid = s.selectRowid.get(this.space, id);
            if (rowid === undefined) continue;
            s.deleteVector.run(BigInt(rowid));
            s.deleteMeta.run(rowid);
            s.deleteId.run(rowid);
          }
        }
      })();
    } catch (error) {
      throw storeError(error, "delete vectors");
    }
  }

  /** The KNN with `rowid IN` the intersection of one index lookup per filter key. */
  private filteredStatement(keys: number): Statement {
    let statement = this.filtered.get(keys);
    if (!statement) {
      const lookup = "SELECT vec_rowid FROM memory_vec_meta WHERE space = ? AND key = ? AND value = ?";
      const rowids = Array.from({ length: keys }, () => lookup).join(" INTERSECT ");
      statement = this.db.prepare(
        `WITH knn AS (SELECT rowid, distance FROM ${this.table} WHERE embedding MATCH ? AND k = ? AND rowid IN (${rowids}))
         SELECT i.id AS id, i.metadata AS metadata, knn.distance AS distance
         FROM knn JOIN memory_vec_ids i ON i.vec_rowid = knn.rowid ORDER BY knn.distance`,
      );
      this.filtered.set(keys, statement);
    }
    return statement;
  }

  async query(vector: number[], k: number, filter?: VectorFilter): Promise<VectorHit[]> {
    this.live();
    checkQuery(vector, k, filter, this.dimensions, this.space);
    if (k === 0) return [];
    const blob = vectorBlob(vector);
    const entries = Object.entries(filter ?? {});
    try {
      const rows = (
        entries.length === 0
          ? this.statements.knn.all(blob, k)
          : this.filteredStatement(entries.length).all(
              blob,
              k,
              ...entries.flatMap(([key, value]) => [this.space, key, encodeValue(value)]),
            )
      ) as Array<{ id: string; metadata: string; distance: number }>;
      return rows.map((row) => ({
        id: row.id,
        score: 1 - row.distance,
        metadata: JSON.parse(row.metadata) as Record<string, MetadataValue>,
      }));
    } catch (error) {
      throw storeError(error, "search vectors");
    }
  }

  async count(): Promise<number> {
    this.live();
    try {
      return this.statements.count.get(this.space) ?? 0;
    } catch (error) {
      throw storeError(error, "count vectors");
    }
  }

  async clear(): Promise<void> {
    this.live();
    try {
      this.db.transaction(() => {
        this.db.prepare("DELETE FROM memory_vec_meta WHERE space = ?").run(this.space);
        this.db.prepare("DELETE FROM memory_vec_ids WHERE space = ?").run(this.space);
        this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
        this.db.exec(
          `CREATE VIRTUAL TABLE ${this.table} USING vec0(embedding float[${this.dimensions}] distance_metric=cosine)`,
        );
      })();
    } catch (error) {
      throw storeError(error, "clear the space");
    }
  }

  /** The database belongs to the caller and stays open. */
  async close(): Promise<void> {
    this.closed = true;
    this.filtered.clear();
  }
}

export async function createSqliteVecStore(options: SqliteVecOptions): Promise<VectorStore> {
  if (typeof options?.db?.prepare !== "function") {
    throw new HobError("E_VALIDATION", "The sqlite vector store needs an open better-sqlite3 database.", {
      hint: "Pass the store's `db` (Store.open(...).db).",
    });
  }
  return SqliteVecStore.open(options.db, options.space, options.dimensions);
}
