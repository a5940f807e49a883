import type Database from "better-sqlite3";

export interface CacheStats {
  entries: number;
  expired: number;
  bytes: number;
  hits: number;
  oldest: string | null;
  newest: string | null;
}

/**
 * The response cache table. Values are opaque JSON to the store (the models room
 * defines their shape); the store only keeps, expires and counts them.
 */
export class ResponseCacheRepository {
  constructor(private readonly db: Database.Database) {}

  get(key: string, now: number): unknown {
    const row = this.db.prepare("SELECT response FROM response_cache WHERE key = ? AND expires_at > ?").get(key, now) as
      | { response: string }
      | undefined;
    if (!row) return undefined;
    this.db.prepare("UPDATE response_cache SET hits = hits + 1, last_hit_at = ? WHERE key = ?").run(now, key);
    return JSON.parse(row.response);
  }

  put(key: string, modelName: string, value: unknown, now: number, expiresAt: number): void {
    const response = JSON.stringify(value);
    this.db
      .prepare(
        `INSERT INTO response_cache (key, model_name, response, bytes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET response = excluded.response, bytes = excluded.bytes,
           created_at = excluded.created_at, expires_at = excluded.expires_at`,
      )
      .run(key, modelName, response, Buffer.byteLength(response), now, expiresAt);
  }

  stats(now: number): CacheStats {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS entries, COALESCE(SUM(expires_at <= ?), 0) AS expired, COALESCE(SUM(bytes), 0) AS bytes,
           COALESCE(SUM(hits), 0) AS hits, MIN(created_at) AS oldest, MAX(created_at) AS newest FROM response_cache`,
      )
      .get(now) as {
      entries: number;
      expired: number;
      bytes: number;
      hits: number;
      oldest: number | null;
      newest: number | null;
    };
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return { ...row, oldest: iso(row.oldest), newest: iso(row.newest) };
  }

  /** Deletes everything (or only expired entries); returns how many went. */
  clear(options: { expiredOnly?: boolean; now?: number } = {}): number {
    const result = options.expiredOnly
      ? this.db.prepare("DELETE FROM response_cache WHERE expires_at <= ?").run(options.now ?? Date.now())
      : this.db.prepare("DELETE FROM response_cache").run();
    return result.changes;
  }
}
