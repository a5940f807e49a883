/**
 * Vector stores: index build time and k-NN latency, sqlite-vec (embedded, a temp database
 * file) against Chroma (a real local server, started here as a child process).
 *
 * The vectors are seeded random unit vectors of 384 dimensions: this measures latency, not
 * retrieval quality (random vectors have no meaningful neighbours). Each record has the
 * metadata { group: i % 10, even: i % 2 === 0 }; the filtered queries ask for group 3 (10 %).
 *
 * Per store and size: build = upsert in batches of 1,000 into an empty space; then 200
 * queries with k = 10 (p50/p95), and 200 with the filter. If 100k on Chroma would take more
 * than 3 minutes to build (projected from the 10k build), Chroma is measured at 10k and 50k.
 *
 * Usage: npx tsx bench/memory-stores.ts [--sizes 10000,100000]
 *
 * Measured 2026-11-29 (2 shared cores, load ~5 from other jobs, so ±30 %): sqlite-vec builds
 * 10k/50k/100k in 1.9/11.6/33.7 s, k=10 p50 10/65/106 ms (brute force, linear in size), filtered
 * 8/54/84 ms. Chroma builds 10k/50k/100k in 14/145/309 s (~350 vectors/s), p50 8/12/8 ms (HNSW),
 * filtered 24/79/161 ms.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createVectorStore, type VectorRecord, type VectorStore } from "../src/memory/stores/index.js";
// The store's driver: on Node ≥ 22 the better-sqlite3 12.x addon aborts at exit (see src/store/driver.ts).
import { Database } from "../src/store/index.js";
import { ChromaServer } from "../test/fakes/chroma.js";
import { percentile } from "./stats.js";

const DIMS = 384;
const BATCH = 1000;
const QUERIES = 200;
const K = 10;
const CHROMA_BUILD_LIMIT_S = 180;

const sizesArg = process.argv.indexOf("--sizes");
const SIZES = (sizesArg > 0 ? (process.argv[sizesArg + 1] ?? "") : "10000,100000").split(",").map(Number);

/** mulberry32: the same vectors every run. */
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

function unit(next: () => number): number[] {
  const vector = Array.from({ length: DIMS }, () => next() * 2 - 1);
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return vector.map((value) => value / norm);
}

interface Row {
  store: string;
  vectors: number;
  buildS: number;
  p50: number;
  p95: number;
  filteredP50: number;
  filteredP95: number;
}

class TooSlow extends Error {}

async function measure(store: VectorStore, size: number, buildLimitS = Number.POSITIVE_INFINITY): Promise<Row> {
  const next = random(42);
  const buildStart = performance.now();
  for (let start = 0; start < size; start += BATCH) {
    if ((performance.now() - buildStart) / 1000 > buildLimitS) {
      throw new TooSlow(`${start.toLocaleString("en")} of ${size.toLocaleString("en")} after ${buildLimitS} s`);
    }
    const batch: VectorRecord[] = [];
    for (let i = start; i < Math.min(size, start + BATCH); i++) {
      batch.push({ id: `doc-${i}`, vector: unit(next), metadata: { group: i % 10, even: i % 2 === 0 } });
    }
    await store.upsert(batch);
  }
  const buildS = (performance.now() - buildStart) / 1000;
  const count = await store.count();
  if (count !== size) throw new Error(`${store.kind}: expected ${size} vectors, counted ${count}`);

  const queryRandom = random(7);
  const queries = Array.from({ length: QUERIES }, () => unit(queryRandom));
  for (const query of queries.slice(0, 10)) await store.query(query, K); // warm-up
  const plain: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    const hits = await store.query(query, K);
    plain.push(performance.now() - started);
    if (hits.length !== K) throw new Error(`${store.kind}: ${hits.length} hits, expected ${K}`);
  }
  const filtered: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    const hits = await store.query(query, K, { group: 3 });
    filtered.push(performance.now() - started);
    if (hits.length !== K || hits.some((hit) => hit.metadata.group !== 3)) {
      throw new Error(`${store.kind}: the filtered query returned ${hits.length} hits or a wrong group`);
    }
  }
  return {
    store: store.kind === "sqlite" ? "sqlite-vec 0.1.9" : "Chroma 3.5.0 (local server)",
    vectors: size,
    buildS,
    p50: percentile(plain, 50),
    p95: percentile(plain, 95),
    filteredP50: percentile(filtered, 50),
    filteredP95: percentile(filtered, 95),
  };
}

const rows: Row[] = [];
const notes: string[] = [];
const dir = mkdtempSync(join(tmpdir(), "hob-bench-vec-"));
let chroma: ChromaServer | undefined;
try {
  for (const size of SIZES) {
    const db = new Database(join(dir, `sqlite-${size}.db`));
    db.pragma("journal_mode = WAL");
    const store = await createVectorStore("sqlite", { db, space: `bench-${size}-${DIMS}`, dimensions: DIMS });
    rows.push(await measure(store, size));
    process.stderr.write(`sqlite ${size} done\n`);
    await store.close();
    db.close();
  }

  chroma = await ChromaServer.start({ dataDir: mkdtempSync(join(dir, "chroma-")) });
  let chromaSizes = [...SIZES];
  for (let index = 0; index < chromaSizes.length; index++) {
    const size = chromaSizes[index] as number;
    const store = await createVectorStore("chroma", {
      url: chroma.url,
      space: `bench-${size}-${DIMS}`,
      dimensions: DIMS,
      timeoutMs: 120_000,
    });
    try {
      const row = await measure(store, size, size > 50_000 ? CHROMA_BUILD_LIMIT_S : Number.POSITIVE_INFINITY);
      rows.push(row);
      process.stderr.write(`chroma ${size} done (${row.buildS.toFixed(1)} s)\n`);
      // Project the next, larger size from this build; go to 50k when it would take too long.
      const following = chromaSizes[index + 1];
      if (following !== undefined && following > 50_000 && (row.buildS * following) / size > CHROMA_BUILD_LIMIT_S) {
        notes.push(
          `Chroma at ${following.toLocaleString("en")} would take ~${Math.round((row.buildS * following) / size)} s to build (> ${CHROMA_BUILD_LIMIT_S} s, projected from ${size.toLocaleString("en")}): measured at 50,000 instead.`,
        );
        chromaSizes = [...chromaSizes.slice(0, index + 1), 50_000];
      }
    } catch (error) {
      if (!(error instanceof TooSlow)) throw error;
      notes.push(
        `Chroma at ${size.toLocaleString("en")} took more than ${CHROMA_BUILD_LIMIT_S} s to build (${error.message}): measured at 50,000 instead.`,
      );
      chromaSizes.splice(index + 1, 0, 50_000);
    } finally {
      await store.clear();
      await store.close();
    }
  }
} finally {
  await chroma?.close();
  rmSync(dir, { recursive: true, force: true });
}

const f = (value: number) => value.toFixed(value < 10 ? 2 : 1);
console.log(
  `\nVector stores, ${DIMS} dims, random unit vectors (latency, not quality); k=${K}, ${QUERIES} queries; filter = 10 % of rows.`,
);
console.log(`Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}).\n`);
console.log(
  "| store | vectors | build (batches of 1,000) | vectors/s | query p50 | query p95 | filtered p50 | filtered p95 |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const row of rows) {
  console.log(
    `| ${row.store} | ${row.vectors.toLocaleString("en")} | ${row.buildS.toFixed(1)} s | ${Math.round(row.vectors / row.buildS).toLocaleString("en")} | ${f(row.p50)} ms | ${f(row.p95)} ms | ${f(row.filteredP50)} ms | ${f(row.filteredP95)} ms |`,
  );
}
for (const note of notes) console.log(`\n${note}`);
