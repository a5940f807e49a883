/**
 * Memory recall as hob does it (the Memory service: SQLite FTS5 with BM25, vectors in the
 * configured store, reciprocal rank fusion, recency and outcome weighting, de-duplication):
 *
 * 1. Quality on data/memory/retrieval-set.json (301 memories, 126 labelled queries): Recall@5
 *    and MRR for full text alone (`memory.embedder: none`), and hybrid with the builtin embedder,
 *    overall and per query kind. The builtin embedder is lexical; a semantic model through
 *    Ollama cannot run here, so paraphrase and cross-lingual figures are a floor.
 * 2. Latency of one `memory.search` (embed the query, FTS, k-NN, fuse, rank) at 10k and 100k
 *    memories, p50/p95 over 200 queries, for the embedded store (sqlite-vec) and, with
 *    --chroma, a real local ChromaDB server; and the time to build the index (insert + embed).
 *    The large sets are the labelled memories repeated with varied words (seeded), so the
 *    text statistics stay realistic.
 * Usage: npx tsx bench/memory-retrieval.ts [--chroma] [--quality-only] [sizes…]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.js";
import { type Memory, openMemory } from "../src/memory/index.js";
import { Store } from "../src/store/index.js";
import { ChromaServer } from "../test/fakes/chroma.js";
import { percentile } from "./stats.js";

interface DataMemory {
  id: string;
  text: string;
  kind: "task" | "fact";
  created_days_ago: number;
  success: boolean | null;
}
interface DataQuery {
  id: string;
  text: string;
  relevant: string[];
  kind: string;
}
const data = JSON.parse(readFileSync(join(import.meta.dirname, "../data/memory/retrieval-set.json"), "utf8")) as {
  memories: DataMemory[];
  queries: DataQuery[];
};
const args = process.argv.slice(2);
const withChroma = args.includes("--chroma");
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const NOW = Date.parse("2026-11-29T12:00:00Z");
const DAY = 86_400_000;

function open(embedder: string, store: "sqlite" | "chroma", chromaUrl?: string) {
  const home = mkdtempSync(join(tmpdir(), "hob-bench-memory-"));
  const yaml = `memory:\n  embedder: ${embedder}\n  store: ${store}\n${chromaUrl ? `  chroma_url: ${chromaUrl}\n` : ""}`;
  writeFileSync(join(home, "hob.yaml"), yaml);
  const config = loadConfig({ HOB_HOME: home });
  const db = Store.open(join(home, "hob.db"));
  const memory = openMemory(config, db, { env: {}, now: () => NOW });
  return {
    memory,
    async close() {
      await memory.close();
      db.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function load(memory: Memory, items: DataMemory[]): Promise<Map<string, string>> {
  const { ids } = await memory.addMany(
    items.map((m) => ({
      text: m.text,
      kind: m.kind,
      createdAt: NOW - m.created_days_ago * DAY,
      success: m.kind === "task" ? m.success : null,
    })),
  );
  return new Map(ids.map((id, i) => [id, (items[i] as DataMemory).id]));
}

async function quality(label: string, embedder: string) {
  const { memory, close } = open(embedder, "sqlite");
  try {
    const toData = await load(memory, data.memories);
    const byKind = new Map<string, { recall: number[]; rr: number[] }>();
    for (const q of data.queries) {
      const { items } = await memory.search(q.text, { k: 5 });
      const got = items.map((i) => toData.get(i.id));
      const found = q.relevant.filter((r) => got.includes(r)).length;
      const first = got.findIndex((id) => id !== undefined && q.relevant.includes(id));
      for (const key of ["all", q.kind]) {
        const agg = byKind.get(key) ?? { recall: [], rr: [] };
        agg.recall.push(found / q.relevant.length);
        agg.rr.push(first < 0 ? 0 : 1 / (first + 1));
        byKind.set(key, agg);
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    for (const [kind, agg] of byKind) {
      console.log(
        `| ${label} | ${kind} | ${agg.recall.length} | ${(mean(agg.recall) * 100).toFixed(1)} % | ${mean(agg.rr).toFixed(3)} |`,
      );
    }
  } finally {
    await close();
  }
}

/** The labelled memories again and again, each copy with a few seeded words changed. */
function synthetic(size: number): DataMemory[] {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const words = data.memories.flatMap((m) => m.text.split(/\s+/)).filter((w) => w.length > 3);
  return Array.from({ length: size }, (_, i) => {
    const base = data.memories[i % data.memories.length] as DataMemory;
    const extra = Array.from({ length: 4 }, () => words[Math.floor(rand() * words.length)]).join(" ");
    return { ...base, id: `s${i}`, text: `${base.text} ${extra}`, created_days_ago: Math.floor(rand() * 365) };
  });
}

async function latency(store: "sqlite" | "chroma", size: number, chromaUrl?: string) {
  const { memory, close } = open("builtin", store, chromaUrl);
  try {
    const items = synthetic(size);
    const t = performance.now();
    for (let i = 0; i < items.length; i += 5000) await memory.addMany(items.slice(i, i + 5000));
    const build = performance.now() - t;
    const times: number[] = [];
    for (let i = 0; i < 220; i++) {
      const q = data.queries[i % data.queries.length] as DataQuery;
      const s = performance.now();
      await memory.search(q.text, { k: 5 });
      if (i >= 20) times.push(performance.now() - s); // the first 20 warm up
    }
    console.log(
      `| ${store} | ${size.toLocaleString("en")} | ${(build / 1000).toFixed(1)} s | ${percentile(times, 50).toFixed(1)} ms | ${percentile(times, 95).toFixed(1)} ms |`,
    );
  } finally {
    await close();
  }
}

console.log("## Recall on the labelled set (k = 5)\n");
console.log("| mode | query kind | queries | Recall@5 | MRR |\n|---|---|---:|---:|---:|");
await quality("full text (embedder none)", "none");
await quality("hybrid (builtin embedder)", "builtin");

if (args.includes("--quality-only")) process.exit(0);
console.log("\n## memory.search latency (builtin embedder; index build = insert + embed)\n");
console.log("| store | memories | index build | p50 | p95 |\n|---|---:|---:|---:|---:|");
for (const size of sizes.length > 0 ? sizes : [10_000, 100_000]) await latency("sqlite", size);
if (withChroma) {
  const chroma = await ChromaServer.start();
  try {
    for (const size of sizes.length > 0 ? sizes : [10_000, 100_000]) await latency("chroma", size, chroma.url);
  } finally {
    await chroma.close();
  }
}
