/**
 * Decision latency of the embedded classifier (goal: p50 < 1 ms), over the
 * evaluation tasks, after a warm-up. Also the one-time model load, and the worst of a set of
 * hostile pastes (a megabyte of text, long runs that make careless patterns backtrack): the
 * classifier reads at most the first 3,000 and last 1,000 characters, with bounded patterns.
 * Usage: npx tsx bench/classifier-latency.ts [rounds]
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EmbeddedClassifier, parseTsv } from "../src/routing/index.js";
import { median, percentile } from "./stats.js";

const rounds = Number(process.argv[2] ?? 50);
const tasks = parseTsv(readFileSync(fileURLToPath(new URL("../data/routing/eval.tsv", import.meta.url)), "utf8"));
const loadStart = performance.now();
const classifier = EmbeddedClassifier.load();
const loadMs = performance.now() - loadStart;
for (const task of tasks) classifier.classify(task.text); // warm-up
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const task of tasks) {
    const start = performance.now();
    classifier.classify(task.text);
    times.push(performance.now() - start);
  }
}
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
console.log(`embedded classifier: ${times.length} decisions over ${tasks.length} tasks`);
console.log(`  p50 ${us(median(times))}  p99 ${us(percentile(times, 99))}  max ${us(Math.max(...times))}`);
console.log(`  model load (once per process) ${loadMs.toFixed(1)} ms`);
console.log(`  goal p50 < 1 ms -> ${median(times) < 1 ? "met" : "NOT met"}`);

const HOSTILE: Record<string, string> = {
  "1 MB of words": "word ".repeat(200_000),
  "a run of x-x-x- after 'my '": `my ${"x-".repeat(50_000)}`,
  "100 KB of 'a:' pairs": " a:".repeat(50_000),
  "select without from": `select ${"x ".repeat(50_000)}`,
  "100 KB of one CJK pair": "天気".repeat(50_000),
  'an unclosed File "': `  File "${"x".repeat(100_000)}`,
};
let worst = { name: "", ms: 0 };
for (const [name, text] of Object.entries(HOSTILE)) {
  const start = performance.now();
  classifier.classify(text);
  const elapsed = performance.now() - start;
  if (elapsed > worst.ms) worst = { name, ms: elapsed };
}
console.log(`  worst hostile paste: ${worst.ms.toFixed(1)} ms (${worst.name})`);
