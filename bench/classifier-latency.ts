/**
 * Decision latency of the embedded classifier (goal: p50 < 1 ms), over the
 * evaluation tasks, after a warm-up. Also the one-time model load.
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
