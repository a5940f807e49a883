/**
 * One contract, every vector store: the embedded sqlite-vec store (a temp database file)
 * and the Chroma store (a real local Chroma server, started once for this file and
 * restarted only for the persistence test) run the same suite. Then what only one of
 * them has: sqlite-vec's extension loading and tables, Chroma down, hanging or failing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sqliteVec from "sqlite-vec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The backends' own helpers, from their files (the room's index loads them only on use).
import { chromaCollectionName } from "../src/memory/stores/chroma.js";
import {
  createVectorStore,
  type MetadataValue,
  type VectorRecord,
  type VectorStore,
} from "../src/memory/stores/index.js";
import { loadSqliteVec, vecTableName } from "../src/memory/stores/sqlite-vec.js";
// The store's driver: on Node ≥ 22 the better-sqlite3 12.x addon aborts at exit (see src/store/driver.ts).
import { Database } from "../src/store/index.js";
import { ChromaServer, freePort } from "./fakes/chroma.js";
import { failure } from "./helpers.js";

interface StoreCase {
  kind: "sqlite" | "chroma";
  setup(): Promise<void>;
  teardown(): Promise<void>;
  open(space: string, dimensions: number): Promise<VectorStore>;
  /** sqlite: close and reopen the database file; chroma: stop and start the server on its data dir. */
  restart(): Promise<void>;
}

function sqliteCase(): StoreCase {
  let dir = "";
  let db: Database | undefined;
  const file = () => join(dir, "hob.db");
  return {
    kind: "sqlite",
    async setup() {
      dir = mkdtempSync(join(tmpdir(), "hob-vec-"));
      db = new Database(file());
      db.pragma("journal_mode = WAL");
    },
    async teardown() {
      db?.close();
      rmSync(dir, { recursive: true, force: true });
    },
    open: (space, dimensions) => createVectorStore("sqlite", { db: db as Database, space, dimensions }),
    async restart() {
      db?.close();
      db = new Database(file());
    },
  };
}

function chromaCase(): StoreCase {
  let server: ChromaServer | undefined;
  return {
    kind: "chroma",
    async setup() {
      server = await ChromaServer.start();
    },
    async teardown() {
      await server?.close();
    },
    open: (space, dimensions) =>
      createVectorStore("chroma", { url: (server as ChromaServer).url, space, dimensions, timeoutMs: 15_000 }),
    async restart() {
      await server?.restart();
    },
  };
}

const DIMS = 8;
let spaceCounter = 0;
const freshSpace = (label: string) => `test-${label}-${++spaceCounter}-${DIMS}`;

/** A unit vector at `degrees` in the plane of the first two axes. */
function angle(degrees: number, dimensions = DIMS): number[] {
  const radians = (degrees * Math.PI) / 180;
  const vector = new Array<number>(dimensions).fill(0);
  vector[0] = Math.cos(radians);
  vector[1] = Math.sin(radians);
  return vector;
}

/** Seeded (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomUnit(next: () => number, dimensions: number): number[] {
  const vector = Array.from({ length: dimensions }, () => next() * 2 - 1);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((value, i) => {
    const other = b[i] as number;
    dot += value * other;
    na += value * value;
    nb += other * other;
  });
  return dot / Math.sqrt(na * nb);
};

/** The ids a brute-force search would return. */
function exactTop(records: VectorRecord[], query: number[], k: number, filter: Record<string, MetadataValue> = {}) {
  return records
    .filter((record) => Object.entries(filter).every(([key, value]) => record.metadata[key] === value))
    .map((record) => ({ id: record.id, score: cosine(record.vector, query) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((hit) => hit.id);
}

describe.each([sqliteCase(), chromaCase()])("vector store contract: $kind", (store) => {
  beforeAll(() => store.setup(), 30_000);
  afterAll(() => store.teardown());

  it("inserts records and counts them, metadata types intact", async () => {
    const vectors = await store.open(freshSpace("insert"), DIMS);
    expect(await vectors.count()).toBe(0);
    await vectors.upsert([
      { id: "a", vector: angle(0), metadata: { kind: "note", weight: 1.5, pinned: true, n: 3 } },
      { id: "b", vector: angle(90), metadata: {} },
      { id: "c", vector: angle(180), metadata: { kind: "fact" } },
    ]);
    expect(await vectors.count()).toBe(3);
    const [hit] = await vectors.query(angle(0), 1);
    expect(hit?.id).toBe("a");
    expect(hit?.metadata).toEqual({ kind: "note", weight: 1.5, pinned: true, n: 3 });
    expect(hit?.score).toBeCloseTo(1, 4);
    const b = (await vectors.query(angle(90), 1))[0];
    expect(b).toMatchObject({ id: "b", metadata: {} });
    await vectors.upsert([]);
    expect(await vectors.count()).toBe(3);
    await vectors.close();
  });

  it("upsert replaces the vector and the metadata of an id", async () => {
    const vectors = await store.open(freshSpace("replace"), DIMS);
    await vectors.upsert([
      { id: "a", vector: angle(0), metadata: { old: "yes", shared: 1 } },
      { id: "b", vector: angle(45), metadata: { old: "no" } },
    ]);
    await vectors.upsert([{ id: "a", vector: angle(90), metadata: { shared: 2, fresh: true } }]);
    expect(await vectors.count()).toBe(2);
    const [top] = await vectors.query(angle(90), 1);
    expect(top).toMatchObject({ id: "a", metadata: { shared: 2, fresh: true } });
    expect(top?.score).toBeCloseTo(1, 4);
    expect(await vectors.query(angle(0), 5, { old: "yes" })).toEqual([]);
    expect((await vectors.query(angle(0), 5, { shared: 1 })).map((h) => h.id)).toEqual([]);
    expect((await vectors.query(angle(0), 5, { shared: 2 })).map((h) => h.id)).toEqual(["a"]);
    // The last record of an id in one batch wins.
    await vectors.upsert([
      { id: "c", vector: angle(10), metadata: { v: 1 } },
      { id: "c", vector: angle(20), metadata: { v: 2 } },
    ]);
    expect(await vectors.count()).toBe(3);
    expect((await vectors.query(angle(20), 1))[0]).toMatchObject({ id: "c", metadata: { v: 2 } });
    await vectors.close();
  });

  it("delete removes records for good; unknown ids are fine", async () => {
    const vectors = await store.open(freshSpace("delete"), DIMS);
    await vectors.upsert([0, 30, 60, 90].map((deg) => ({ id: `d${deg}`, vector: angle(deg), metadata: { g: "x" } })));
    await vectors.delete(["d0", "never-was"]);
    await vectors.delete([]);
    expect(await vectors.count()).toBe(3);
    const ids = (await vectors.query(angle(0), 10)).map((hit) => hit.id);
    expect(ids).toEqual(["d30", "d60", "d90"]);
    expect((await vectors.query(angle(0), 10, { g: "x" })).map((hit) => hit.id)).not.toContain("d0");
    // The id can come back.
    await vectors.upsert([{ id: "d0", vector: angle(0), metadata: {} }]);
    expect((await vectors.query(angle(0), 1))[0]?.id).toBe("d0");
    await vectors.close();
  });

  it("returns the k nearest by cosine, best first, with scores in [-1, 1]", async () => {
    const vectors = await store.open(freshSpace("knn"), DIMS);
    const degrees = [170, 10, 135, 60, 180, 25, 90];
    await vectors.upsert(degrees.map((deg) => ({ id: `at${deg}`, vector: angle(deg), metadata: { deg } })));
    const hits = await vectors.query(angle(0), 4);
    expect(hits.map((hit) => hit.id)).toEqual(["at10", "at25", "at60", "at90"]);
    hits.forEach((hit) => {
      expect(hit.score).toBeCloseTo(Math.cos(((hit.metadata.deg as number) * Math.PI) / 180), 4);
    });
    // Length does not matter to cosine; all of them when k is larger than the count.
    const all = await vectors.query(
      angle(0).map((value) => value * 7),
      50,
    );
    expect(all.map((hit) => hit.id)).toEqual(["at10", "at25", "at60", "at90", "at135", "at170", "at180"]);
    expect(all.at(-1)?.score).toBeCloseTo(-1, 4);
    expect(await vectors.query(angle(0), 0)).toEqual([]);
    await vectors.close();
  });

  it("filters by one metadata key and still returns k hits when k match", async () => {
    const vectors = await store.open(freshSpace("filter1"), DIMS);
    const next = random(7);
    const records: VectorRecord[] = Array.from({ length: 400 }, (_, i) => ({
      id: `r${i}`,
      vector: randomUnit(next, DIMS),
      metadata: { group: i % 20, even: i % 2 === 0, tag: `t${i % 3}` },
    }));
    await vectors.upsert(records);
    const query = randomUnit(next, DIMS);
    // 20 rows have group 7: the 10 best of them, not the matching ones among the 10 best overall.
    const hits = await vectors.query(query, 10, { group: 7 });
    expect(hits).toHaveLength(10);
    expect(hits.every((hit) => hit.metadata.group === 7)).toBe(true);
    expect(hits.map((hit) => hit.id)).toEqual(exactTop(records, query, 10, { group: 7 }));
    const scores = hits.map((hit) => hit.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // Strings and booleans too; fewer than k when fewer match.
    expect((await vectors.query(query, 10, { tag: "t1" })).map((hit) => hit.id)).toEqual(
      exactTop(records, query, 10, { tag: "t1" }),
    );
    expect(await vectors.query(query, 30, { group: 7 })).toHaveLength(20);
    expect(await vectors.query(query, 10, { group: 99 })).toEqual([]);
    expect(await vectors.query(query, 10, { missing: "key" })).toEqual([]);
    await vectors.close();
  });

  it("filters by two metadata keys (AND), typed: 1, '1' and true differ", async () => {
    const vectors = await store.open(freshSpace("filter2"), DIMS);
    const next = random(11);
    const records: VectorRecord[] = Array.from({ length: 400 }, (_, i) => ({
      id: `r${i}`,
      vector: randomUnit(next, DIMS),
      metadata: { group: i % 10, even: i % 2 === 0, label: i % 4 === 1 ? "1" : "other" },
    }));
    await vectors.upsert(records);
    const query = randomUnit(next, DIMS);
    const hits = await vectors.query(query, 10, { group: 3, even: false });
    expect(hits).toHaveLength(10);
    expect(hits.map((hit) => hit.id)).toEqual(exactTop(records, query, 10, { group: 3, even: false }));
    expect(await vectors.query(query, 10, { group: 3, even: true })).toEqual([]);
    expect((await vectors.query(query, 10, { label: "1", even: false })).map((hit) => hit.id)).toEqual(
      exactTop(records, query, 10, { label: "1", even: false }),
    );
    expect(await vectors.query(query, 10, { label: 1 })).toEqual([]);
    await vectors.close();
  });

  it("refuses bad input with E_VALIDATION and a hint: wrong length, NaN, Infinity, zeros, empty id, bad k", async () => {
    const space = freshSpace("validate");
    const vectors = await store.open(space, DIMS);
    const refusals = [
      () => vectors.upsert([{ id: "a", vector: angle(0, DIMS + 1), metadata: {} }]),
      () => vectors.upsert([{ id: "a", vector: [Number.NaN, ...angle(0).slice(1)], metadata: {} }]),
      () => vectors.upsert([{ id: "a", vector: [Number.POSITIVE_INFINITY, ...angle(0).slice(1)], metadata: {} }]),
      () => vectors.upsert([{ id: "a", vector: new Array(DIMS).fill(0), metadata: {} }]),
      () => vectors.upsert([{ id: "", vector: angle(0), metadata: {} }]),
      () => vectors.upsert([{ id: "a", vector: angle(0), metadata: { nested: {} as unknown as string } }]),
      () => vectors.query(angle(0, 3), 5),
      () => vectors.query(angle(0), -1),
      () => vectors.query(angle(0), 2.5),
      () => vectors.query(angle(0), 5, { bad: Number.NaN }),
      () => vectors.delete([""]),
    ];
    for (const refusal of refusals) {
      const error = await failure(refusal());
      expect(error.code).toBe("E_VALIDATION");
      expect(error.hint).toBeTruthy();
    }
    const wrong = await failure(vectors.upsert([{ id: "a", vector: angle(0, 3), metadata: {} }]));
    expect(wrong.message).toContain(`has 3 dimensions; the space "${space}" holds ${DIMS}`);
    // Nothing of a refused batch is kept.
    await failure(
      vectors.upsert([
        { id: "ok", vector: angle(0), metadata: {} },
        { id: "bad", vector: angle(0, 2), metadata: {} },
      ]),
    );
    expect(await vectors.count()).toBe(0);
    // The same space with another size is refused when opened.
    await vectors.upsert([{ id: "a", vector: angle(0), metadata: {} }]);
    expect((await failure(store.open(space, DIMS * 2))).code).toBe("E_VALIDATION");
    await vectors.close();
    expect((await failure(vectors.count())).code).toBe("E_STORE");
  });

  it("clear() drops everything of its space and stays usable; two spaces do not see each other", async () => {
    const one = await store.open(freshSpace("one"), DIMS);
    const other = await store.open(`${freshSpace("other")}-16`, 16);
    await one.upsert([
      { id: "same-id", vector: angle(0), metadata: { space: "one" } },
      { id: "only-one", vector: angle(5), metadata: { space: "one" } },
    ]);
    await other.upsert([{ id: "same-id", vector: angle(90, 16), metadata: { space: "other" } }]);
    expect(await one.count()).toBe(2);
    expect(await other.count()).toBe(1);
    expect((await other.query(angle(0, 16), 10)).map((hit) => hit.metadata.space)).toEqual(["other"]);
    expect((await one.query(angle(90), 10, { space: "other" })).length).toBe(0);
    await other.delete(["only-one"]);
    expect(await one.count()).toBe(2);

    await one.clear();
    expect(await one.count()).toBe(0);
    expect(await one.query(angle(0), 10)).toEqual([]);
    expect(await other.count()).toBe(1);
    await one.upsert([{ id: "after", vector: angle(0), metadata: { k: "v" } }]);
    expect((await one.query(angle(0), 10, { k: "v" })).map((hit) => hit.id)).toEqual(["after"]);
    await one.close();
    await other.close();
  });

  it("upserts 10,000 records in one call", async () => {
    const dims = 64;
    const vectors = await store.open(`${freshSpace("bulk")}-${dims}`, dims);
    const next = random(3);
    const records = Array.from({ length: 10_000 }, (_, i) => ({
      id: `bulk-${i}`,
      vector: randomUnit(next, dims),
      metadata: { bucket: i % 100 },
    }));
    await vectors.upsert(records);
    expect(await vectors.count()).toBe(10_000);
    const probe = records[4321] as VectorRecord;
    const [top] = await vectors.query(probe.vector, 1);
    expect(top?.id).toBe("bulk-4321");
    expect(top?.score).toBeCloseTo(1, 3);
    expect(await vectors.query(probe.vector, 5, { bucket: 21 })).toHaveLength(5);
    await vectors.close();
  }, 60_000);

  it("keeps its vectors across a restart", async () => {
    const space = freshSpace("persist");
    const before = await store.open(space, DIMS);
    await before.upsert([
      { id: "p1", vector: angle(0), metadata: { kept: true } },
      { id: "p2", vector: angle(60), metadata: { kept: true } },
      { id: "p3", vector: angle(120), metadata: { kept: false } },
    ]);
    await before.delete(["p3"]);
    await before.close();
    await store.restart();
    const after = await store.open(space, DIMS);
    expect(await after.count()).toBe(2);
    expect((await after.query(angle(50), 5, { kept: true })).map((hit) => [hit.id, hit.metadata])).toEqual([
      ["p2", { kept: true }],
      ["p1", { kept: true }],
    ]);
    await after.upsert([{ id: "p4", vector: angle(10), metadata: {} }]);
    expect(await after.count()).toBe(3);
    await after.close();
  }, 40_000);
});

describe("sqlite-vec store", () => {
  it("loads the extension once however often it is asked, and names its vec0 table from the space", async () => {
    const db = new Database(":memory:");
    try {
      sqliteVec.load(db);
      loadSqliteVec(db);
      loadSqliteVec(db);
      const first = await createVectorStore("sqlite", { db, space: "builtin-hash-384", dimensions: 4 });
      const again = await createVectorStore("sqlite", { db, space: "builtin-hash-384", dimensions: 4 });
      await first.upsert([{ id: "x", vector: [1, 0, 0, 0], metadata: {} }]);
      expect(await again.count()).toBe(1);
      const table = vecTableName("builtin-hash-384");
      expect(table).toMatch(/^memory_vec_[0-9a-f]{8}$/);
      const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").pluck().get(table) as string;
      expect(sql).toContain("float[4] distance_metric=cosine");
      // Quotes and SQL in a space name or an id are data, not SQL.
      const odd = await createVectorStore("sqlite", { db, space: "x'); DROP TABLE memory_vec_ids; --", dimensions: 4 });
      await odd.upsert([{ id: "'; DELETE FROM memory_vec_ids; --", vector: [0, 1, 0, 0], metadata: { "a'b": "c'd" } }]);
      expect((await odd.query([0, 1, 0, 0], 1, { "a'b": "c'd" }))[0]?.id).toBe("'; DELETE FROM memory_vec_ids; --");
      expect(await first.count()).toBe(1);
    } finally {
      db.close();
    }
  });

  it("refuses a missing database", async () => {
    const error = await failure(
      createVectorStore("sqlite", { db: undefined as unknown as Database, space: "s", dimensions: 4 }),
    );
    expect(error.code).toBe("E_VALIDATION");
  });
});

describe("Chroma store", () => {
  it("names collections by Chroma's rules for any space", () => {
    for (const space of [
      "builtin-hash-384",
      "ollama-nomic-embed-text:latest-768",
      "é",
      "a",
      "..x..",
      "x".repeat(600),
    ]) {
      const name = chromaCollectionName(space);
      expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$/);
    }
    expect(chromaCollectionName("a:b")).not.toBe(chromaCollectionName("a/b"));
  });

  it("a server that is down is E_UNAVAILABLE with a hint, quickly", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const started = performance.now();
    const error = await failure(createVectorStore("chroma", { url, space: "builtin-hash-384", dimensions: 384 }));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(error.code).toBe("E_UNAVAILABLE");
    expect(error.message).toContain(url);
    expect(error.message).not.toMatch(/\n\s+at /);
    expect(error.hint).toContain("memory.chroma_url");
    expect(error.hint).toContain("memory.store: sqlite");
  });

  it("a server that goes away after opening is E_UNAVAILABLE on the next call", async () => {
    const server = await ChromaServer.start();
    try {
      const vectors = await createVectorStore("chroma", { url: server.url, space: "gone-4", dimensions: 4 });
      await vectors.upsert([{ id: "a", vector: [1, 0, 0, 0], metadata: {} }]);
      await server.stop();
      const started = performance.now();
      const calls = [() => vectors.query([1, 0, 0, 0], 1), () => vectors.count(), () => vectors.upsert([])];
      for (const call of calls) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error === undefined) continue; // an empty upsert needs no server
        expect(error).toMatchObject({ code: "E_UNAVAILABLE" });
        expect((error as { hint: string }).hint).toContain("memory.store: sqlite");
      }
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await server.close();
    }
  });

  it("a server that never answers is E_UNAVAILABLE after timeoutMs", async () => {
    const sockets: Socket[] = [];
    const silent: NetServer = createNetServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = performance.now();
      const error = await failure(
        createVectorStore("chroma", { url: `http://127.0.0.1:${port}`, space: "s-4", dimensions: 4, timeoutMs: 300 }),
      );
      expect(performance.now() - started).toBeLessThan(2000);
      expect(error.code).toBe("E_UNAVAILABLE");
      expect(error.message).toContain("300 ms");
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("a server that answers errors is E_UNAVAILABLE, never E_INTERNAL", async () => {
    const failing: Server = createHttpServer((_request, response) => {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "InternalError", message: "disk on fire" }));
    });
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    const port = (failing.address() as { port: number }).port;
    try {
      const error = await failure(
        createVectorStore("chroma", { url: `http://127.0.0.1:${port}`, space: "s-4", dimensions: 4 }),
      );
      expect(error.code).toBe("E_UNAVAILABLE");
      expect(error.hint).toContain("memory.chroma_url");
    } finally {
      await new Promise((resolve) => failing.close(resolve));
    }
  });

  it("a URL that is not one is E_CONFIG; an unknown kind is E_CONFIG", async () => {
    expect((await failure(createVectorStore("chroma", { url: "not a url", space: "s", dimensions: 4 }))).code).toBe(
      "E_CONFIG",
    );
    expect(
      (await failure(createVectorStore("lance" as "chroma", { url: "http://x", space: "s", dimensions: 4 }))).code,
    ).toBe("E_CONFIG");
  });
});
