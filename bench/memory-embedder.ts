/**
 * Baseline for memory retrieval with the builtin embedder (`builtin` / `hash-384`),
 * vectors only: no FTS5, no recency or success weighting, brute-force cosine over all
 * memories of data/memory/retrieval-set.json. Prints, as markdown tables:
 *
 * - Recall@5 (share of a query's relevant memories found in the top 5, averaged over
 *   queries) and MRR (1 / rank of the first relevant memory) overall, per query kind and
 *   per query language;
 * - embed throughput (texts per second, the whole set embedded in one call, best of 5);
 * - for data/memory/cache-pairs.json (would a cached answer serve a new request?): the
 *   lowest cosine threshold that keeps the false-hit rate (share of `same: false` pairs
 *   at or above it) at most 1 % and at most 5 %, and the hit rate (share of `same: true`
 *   pairs at or above it) there, overall and on the hard negatives.
 *
 * This is the *lexical* builtin embedder: it matches shared words and word pieces, so
 * keyword and typo queries are its ground; paraphrases with other words and
 * cross-lingual queries are expected to fail, and the hard cache negatives (one number
 * or word changed) look nearly identical to it. A real semantic model, e.g.
 * nomic-embed-text through Ollama, is expected to do much better on paraphrases and
 * cross-lingual queries; it cannot be run here, so these numbers are the floor.
 *
 * Usage: npx tsx bench/memory-embedder.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BuiltinEmbedder } from "../src/models/index.js";

interface Memory {
  id: string;
  text: string;
}
interface Query {
  id: string;
  text: string;
  relevant: string[];
  lang: string;
  kind: string;
}
interface Pair {
  a: string;
  b: string;
  same: boolean;
  hard?: boolean;
}

const root = join(import.meta.dirname, "..");
const retrieval = JSON.parse(readFileSync(join(root, "data/memory/retrieval-set.json"), "utf8")) as {
  memories: Memory[];
  queries: Query[];
};
const { pairs } = JSON.parse(readFileSync(join(root, "data/memory/cache-pairs.json"), "utf8")) as { pairs: Pair[] };
const embedder = new BuiltinEmbedder();
const K = 5;

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

// Throughput: every memory and query text, one call, best of 5 (the first warms the JIT).
const allTexts = [...retrieval.memories.map((m) => m.text), ...retrieval.queries.map((q) => q.text)];
let best = Number.POSITIVE_INFINITY;
for (let round = 0; round < 5; round++) {
  const start = performance.now();
  await embedder.embed(allTexts);
  best = Math.min(best, performance.now() - start);
}

const memoryVectors = (await embedder.embed(retrieval.memories.map((m) => m.text))).embeddings;
const queryVectors = (await embedder.embed(retrieval.queries.map((q) => q.text))).embeddings;

interface Score {
  recall: number;
  reciprocalRank: number;
}
const scores = retrieval.queries.map((query, qi): Score => {
  const vector = queryVectors[qi] as number[];
  const ranked = retrieval.memories
    .map((memory, mi) => ({ id: memory.id, score: dot(vector, memoryVectors[mi] as number[]) }))
    .sort((x, y) => y.score - x.score || x.id.localeCompare(y.id));
  const relevant = new Set(query.relevant);
  const top = ranked.slice(0, K).filter((r) => relevant.has(r.id)).length;
  const first = ranked.findIndex((r) => relevant.has(r.id));
  return { recall: top / relevant.size, reciprocalRank: first === -1 ? 0 : 1 / (first + 1) };
});

function table(title: string, groupOf: (q: Query) => string): string {
  const groups = new Map<string, Score[]>();
  retrieval.queries.forEach((query, i) => {
    const key = groupOf(query);
    groups.set(key, [...(groups.get(key) ?? []), scores[i] as Score]);
  });
  const rows = [...groups].sort(([a], [b]) => a.localeCompare(b));
  const mean = (list: Score[], pick: (s: Score) => number) => list.reduce((sum, s) => sum + pick(s), 0) / list.length;
  return [
    `| ${title} | queries | Recall@${K} | MRR |`,
    "|---|---:|---:|---:|",
    ...rows.map(
      ([key, list]) =>
        `| ${key} | ${list.length} | ${pct(mean(list, (s) => s.recall))} | ${mean(list, (s) => s.reciprocalRank).toFixed(3)} |`,
    ),
  ].join("\n");
}

console.log(`# Memory retrieval with the builtin embedder (${embedder.provider} / ${embedder.model})\n`);
console.log(
  `${retrieval.memories.length} memories, ${retrieval.queries.length} queries; vectors only, brute-force cosine.\n`,
);
console.log(`${table("all", () => "all")}\n`);
console.log(`${table("query kind", (q) => q.kind)}\n`);
console.log(`${table("query language", (q) => q.lang)}\n`);
console.log("## Throughput\n");
console.log("| texts | best of 5 | texts/s |\n|---:|---:|---:|");
console.log(
  `| ${allTexts.length} | ${best.toFixed(1)} ms | ${Math.round((allTexts.length / best) * 1000).toLocaleString("en")} |\n`,
);

// Cache pairs: cosine of a and b; a threshold t counts a pair as a hit when cosine ≥ t.
const pairVectors = (await embedder.embed(pairs.flatMap((p) => [p.a, p.b]))).embeddings;
const similarities = pairs.map((pair, i) => ({
  ...pair,
  cosine: dot(pairVectors[2 * i] as number[], pairVectors[2 * i + 1] as number[]),
}));
const positives = similarities.filter((p) => p.same);
const negatives = similarities.filter((p) => !p.same);
const hard = negatives.filter((p) => p.hard);

/** The lowest threshold (among the observed cosines, plus "above all") with a false-hit rate ≤ limit. */
function thresholdFor(limit: number): number {
  const candidates = [...new Set(similarities.map((p) => p.cosine))].sort((a, b) => a - b);
  candidates.push(Math.max(...candidates) + 1e-9);
  for (const t of candidates) {
    if (negatives.filter((p) => p.cosine >= t).length / negatives.length <= limit) return t;
  }
  return Number.POSITIVE_INFINITY;
}
const rate = (list: typeof similarities, t: number) => list.filter((p) => p.cosine >= t).length / list.length;

console.log(
  `## Cache pairs (${pairs.length}: ${positives.length} same, ${negatives.length} different, ${hard.length} of them hard)\n`,
);
console.log("| false-hit limit | threshold | hit rate (same) | false hits (all different) | false hits (hard) |");
console.log("|---:|---:|---:|---:|---:|");
for (const limit of [0.01, 0.05]) {
  const t = thresholdFor(limit);
  console.log(
    `| ≤ ${limit * 100} % | ${t.toFixed(3)} | ${pct(rate(positives, t))} | ${pct(rate(negatives, t))} | ${pct(rate(hard, t))} |`,
  );
}
const mean = (list: typeof similarities) => list.reduce((sum, p) => sum + p.cosine, 0) / list.length;
console.log(
  `\nMean cosine: same ${mean(positives).toFixed(3)}, different ${mean(negatives).toFixed(3)}, hard different ${mean(hard).toFixed(3)}.`,
);
