import { HobError, toHobError } from "../errors/index.js";
import type { Embedder } from "../models/index.js";
import { type MemoryKind, type MemoryRecord, newId, type Store } from "../store/index.js";
import { ftsQuery } from "./fts-query.js";
import { type Candidate, type RankOptions, rankCandidates } from "./ranking.js";
import type { VectorStore } from "./stores/index.js";
import type { MemoryWarning, NewMemoryInput, Recalled, SearchResult } from "./types.js";

export interface MemoryDeps {
  store: Store;
  /** Absent: full-text only (`memory.embedder: none`). */
  embedder?: Embedder;
  /** Opens the vector store for the embedder's space, once its dimension is known. */
  openVectors?: (space: string, dimensions: number) => Promise<VectorStore>;
  now: () => number;
  halfLifeDays: number;
  /**
   * A memory found by the vectors alone counts only this similar or more: below it, a nearest
   * neighbour is just the least unrelated text (memory.min_similarity).
   */
  minSimilarity?: number;
  /** Ranking knobs (benchmarks tune them; the defaults are what bench/memory-retrieval.ts chose). */
  ranking?: Omit<RankOptions, "now" | "halfLifeDays">;
}

/** Each list fetches this many before fusion: enough for fusion to matter, small enough to stay fast. */
const CANDIDATES = 50;
/** Texts per embedding call and vector write: large enough to amortise each call, small enough for progress. */
const EMBED_BATCH = 256;
const MAX_TEXT_CHARS = 20_000;

/**
 * What hob remembers: one service over the rows (SQLite, with their full-text index) and the
 * vectors (sqlite-vec or ChromaDB), kept in step. A vector that cannot be made or stored
 * never loses the row: it is remembered for full-text recall and embedded by `reindex`.
 * Forgetting removes from every store, or from none.
 */
export class Memory {
  private vectors: VectorStore | undefined;

  constructor(private readonly deps: MemoryDeps) {}

  /** `provider/model`, recorded with every vector; undefined without an embedder. */
  get embedderName(): string | undefined {
    const e = this.deps.embedder;
    return e ? `${e.provider}/${e.model}` : undefined;
  }

  async add(input: NewMemoryInput): Promise<{ id: string; warnings: MemoryWarning[] }> {
    const result = await this.addMany([input]);
    return { id: result.ids[0] as string, warnings: result.warnings };
  }

  async addMany(
    inputs: NewMemoryInput[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ ids: string[]; embedded: number; warnings: MemoryWarning[] }> {
    const now = this.deps.now();
    const taken = new Set<string>();
    /**
     * An id is the time plus a few random characters: many memories with one time (an import
     * whose lines share a date) would collide, so each id is checked against this batch and the
     * table, and drawn again when taken.
     */
    const uniqueId = (at: number) => {
      for (;;) {
        const id = newId(at);
        if (!taken.has(id) && !this.deps.store.memories.find(id)) {
          taken.add(id);
          return id;
        }
      }
    };
    const rows = inputs.map((input) => {
      const text = input.text.trim();
      if (text.length === 0) {
        throw new HobError("E_USAGE", "A memory cannot be empty.", { hint: 'Give the text: hob memory add "…"' });
      }
      if (text.length > MAX_TEXT_CHARS) {
        throw new HobError(
          "E_USAGE",
          `A memory is at most ${MAX_TEXT_CHARS} characters (this one has ${text.length}).`,
          {
            hint: "Split it into smaller notes; each is recalled on its own.",
          },
        );
      }
      const createdAt = input.createdAt ?? now;
      if (!Number.isInteger(createdAt) || createdAt < 0 || createdAt > now + 86_400_000) {
        throw new HobError("E_USAGE", `A memory's time ${JSON.stringify(createdAt)} is not a date up to now.`, {
          hint: "Give created_at as an ISO 8601 date (2026-01-31) or whole milliseconds since 1970, not in the future.",
        });
      }
      return {
        id: uniqueId(createdAt),
        kind: input.kind,
        text,
        metadata: input.metadata ?? {},
        taskId: input.taskId ?? null,
        success: input.success ?? null,
        costUsd: input.costUsd ?? null,
        createdAt,
      };
    });
    // Rows first, in one transaction: whatever happens to the vectors, nothing told is lost.
    this.deps.store.memories.insertMany(rows);
    const { embedded, warnings } = await this.embedRows(rows, onProgress);
    return { ids: rows.map((r) => r.id), embedded, warnings };
  }

  /** Removes memories from the vector store, then their rows: from every store, or (on error) from none. */
  async forget(ids: string[]): Promise<number> {
    const known = [...this.deps.store.memories.byIds(ids).values()];
    const embedded = known.filter((m) => m.embedder !== null);
    if (embedded.length > 0) {
      for (const group of groupBy(embedded, (m) => `${m.embedder}\u0000${m.dimensions}`)) {
        const first = group[0] as MemoryRecord;
        const current = first.embedder === this.embedderName;
        const store = await this.vectorStoreFor(first.embedder as string, first.dimensions as number);
        try {
          await store.delete(group.map((m) => m.id));
        } finally {
          if (!current) await store.close();
        }
      }
    }
    return this.deps.store.memories.delete(known.map((m) => m.id));
  }

  async forgetTask(taskId: string): Promise<number> {
    return this.forget(this.deps.store.memories.forTask(taskId).map((m) => m.id));
  }

  async search(query: string, options: { k: number; kinds?: MemoryKind[] }): Promise<SearchResult> {
    const warnings: MemoryWarning[] = [];
    const { memories } = this.deps.store;
    const candidates = new Map<string, Candidate>();
    const candidate = (record: MemoryRecord): Candidate => {
      let c = candidates.get(record.id);
      if (!c) {
        c = { id: record.id, text: record.text, createdAt: record.createdAt, success: record.success };
        candidates.set(record.id, c);
      }
      return c;
    };
    const kindOk = (record: MemoryRecord) => !options.kinds || options.kinds.includes(record.kind);

    const fts = memories.searchText(ftsQuery(query), CANDIDATES, options.kinds);
    const ftsRecords = memories.byIds(fts.map((f) => f.id));
    let rank = 0;
    for (const hit of fts) {
      const record = ftsRecords.get(hit.id);
      if (!record || !kindOk(record)) continue;
      Object.assign(candidate(record), { ftsRank: ++rank, bm25: hit.bm25 });
      if (rank >= CANDIDATES) break;
    }

    let mode: SearchResult["mode"] = "full-text";
    if (this.deps.embedder && this.deps.openVectors) {
      try {
        const { embeddings, dimensions } = await this.deps.embedder.embed([query]);
        const store = await this.vectorStoreFor(this.embedderName as string, dimensions);
        // One filtered query per kind, merged by similarity: the kinds are chosen before the
        // nearest are cut, so many close task memories cannot crowd out a fact.
        const vector = embeddings[0] as number[];
        const hits = options.kinds
          ? (await Promise.all(options.kinds.map((kind) => store.query(vector, CANDIDATES, { kind }))))
              .flat()
              .sort((a, b) => b.score - a.score)
              .slice(0, CANDIDATES)
          : await store.query(vector, CANDIDATES);
        const records = memories.byIds(hits.map((h) => h.id));
        let vrank = 0;
        const floor = this.deps.minSimilarity ?? 0;
        for (const hit of hits) {
          const record = records.get(hit.id);
          if (!record || !kindOk(record)) continue;
          if (hit.score < floor && !candidates.has(hit.id)) continue;
          Object.assign(candidate(record), { vectorRank: ++vrank, cosine: hit.score });
        }
        mode = "hybrid";
      } catch (error) {
        const e = toHobError(error);
        warnings.push({
          code: e.code,
          message: `Vector recall is unavailable, so this search used full text only: ${e.message}`,
          ...(e.hint ? { hint: e.hint } : {}),
        });
      }
    }

    const ranked = rankCandidates([...candidates.values()], {
      ...this.deps.ranking,
      now: this.deps.now(),
      halfLifeDays: this.deps.halfLifeDays,
    }).slice(0, options.k);
    const records = memories.byIds(ranked.map((r) => r.id));
    const items: Recalled[] = ranked.map((r) => {
      const m = records.get(r.id) as MemoryRecord;
      return {
        id: m.id,
        kind: m.kind,
        text: m.text,
        score: r.score,
        signals: r.signals,
        metadata: m.metadata,
        taskId: m.taskId,
        success: m.success,
        createdAt: m.createdAt,
      };
    });
    return { items, warnings, mode };
  }

  /**
   * Embeds every memory again with the configured embedder (after changing it, or to fill in
   * what could not be embedded before): the old space's vectors are left to its store, the new
   * space is cleared and filled.
   */
  async reindex(onProgress?: (done: number, total: number) => void): Promise<{ embedded: number; total: number }> {
    const embedder = this.deps.embedder;
    if (!embedder || !this.deps.openVectors) {
      throw new HobError("E_CONFIG", "Memory has no embedder (memory.embedder: none), so there is nothing to index.", {
        hint: "Set memory.embedder in hob.yaml (builtin, ollama/<model> or openai/<model>), then run hob memory reindex.",
      });
    }
    const total = this.deps.store.memories.counts().total;
    let embedded = 0;
    let cleared = false;
    let after = "";
    for (;;) {
      const page = this.deps.store.memories.page(after, EMBED_BATCH * 4);
      if (page.length === 0) break;
      after = (page.at(-1) as MemoryRecord).id;
      // Vectors made by an earlier embedder go from their own space first: a later forget looks
      // only in the space the row names, and must not leave a copy behind in the old one.
      await this.dropOldVectors(
        page.filter((m) => m.embedder !== null && m.embedder !== embedder.provider + "/" + embedder.model),
      );
      const result = await this.embedRows(page, undefined, async (store) => {
        if (!cleared) {
          await store.clear();
          cleared = true;
        }
      });
      if (result.warnings.length > 0) {
        const w = result.warnings[0] as MemoryWarning;
        throw new HobError(w.code as "E_UNAVAILABLE", w.message, w.hint ? { hint: w.hint } : {});
      }
      embedded += result.embedded;
      onProgress?.(embedded, total);
    }
    return { embedded, total };
  }

  private async dropOldVectors(rows: MemoryRecord[]): Promise<void> {
    for (const group of groupBy(rows, (m) => `${m.embedder}\u0000${m.dimensions}`)) {
      const first = group[0] as MemoryRecord;
      const store = await this.vectorStoreFor(first.embedder as string, first.dimensions as number);
      try {
        await store.delete(group.map((m) => m.id));
      } finally {
        if (first.embedder !== this.embedderName) await store.close();
      }
    }
  }

  status() {
    return {
      embedder: this.embedderName ?? "none",
      counts: this.deps.store.memories.counts(),
    };
  }

  async close(): Promise<void> {
    await this.vectors?.close();
    this.vectors = undefined;
  }

  private async vectorStoreFor(embedder: string, dimensions: number): Promise<VectorStore> {
    if (!this.deps.openVectors) {
      throw new HobError("E_CONFIG", "Memory has no vector store.", { hint: "Set memory.store in hob.yaml." });
    }
    const space = spaceName(embedder, dimensions);
    if (this.vectors?.space === space) return this.vectors;
    const store = await this.deps.openVectors(space, dimensions);
    if (embedder === this.embedderName) {
      await this.vectors?.close();
      this.vectors = store;
    }
    return store;
  }

  /** Embeds rows in batches into the current space and marks them; failures become warnings. */
  private async embedRows(
    rows: Array<Pick<MemoryRecord, "id" | "text" | "kind" | "createdAt" | "success" | "taskId">>,
    onProgress?: (done: number, total: number) => void,
    beforeFirstWrite?: (store: VectorStore) => Promise<void>,
  ): Promise<{ embedded: number; warnings: MemoryWarning[] }> {
    const embedder = this.deps.embedder;
    if (!embedder || !this.deps.openVectors || rows.length === 0) return { embedded: 0, warnings: [] };
    let embedded = 0;
    try {
      for (let i = 0; i < rows.length; i += EMBED_BATCH) {
        const batch = rows.slice(i, i + EMBED_BATCH);
        const { embeddings, dimensions } = await embedder.embed(batch.map((r) => r.text));
        const store = await this.vectorStoreFor(this.embedderName as string, dimensions);
        if (beforeFirstWrite && i === 0) await beforeFirstWrite(store);
        await store.upsert(
          batch.map((r, j) => ({
            id: r.id,
            vector: embeddings[j] as number[],
            metadata: {
              kind: r.kind,
              created_at: r.createdAt,
              ...(r.success === null ? {} : { success: r.success }),
              ...(r.taskId ? { task_id: r.taskId } : {}),
            },
          })),
        );
        this.deps.store.memories.markEmbedded(
          batch.map((r) => r.id),
          this.embedderName as string,
          dimensions,
        );
        embedded += batch.length;
        onProgress?.(embedded, rows.length);
      }
      return { embedded, warnings: [] };
    } catch (error) {
      const e = toHobError(error);
      return {
        embedded,
        warnings: [
          {
            code: e.code,
            message: `Remembered, but ${rows.length - embedded} of ${rows.length} could not be embedded: ${e.message}`,
            hint: `${e.hint ? `${e.hint} ` : ""}Full-text recall works meanwhile; run hob memory reindex once the embedder and store answer.`,
          },
        ],
      };
    }
  }
}

/** A vector store collection per embedder and dimension: vectors of different models never mix. */
export function spaceName(embedder: string, dimensions: number): string {
  return `${embedder.replace(/[^A-Za-z0-9]+/g, "-")}-${dimensions}`.toLowerCase();
}

function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}
