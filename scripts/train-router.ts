/**
 * Retrains the embedded routing classifier from data/routing/train-*.tsv and writes
 * data/routing/model.json. Deterministic: the same data gives the same file.
 * The evaluation set (data/routing/eval.tsv) is never read here.
 * Usage: npx tsx scripts/train-router.ts
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseTsv, train } from "../src/routing/trainer.js";

const dir = fileURLToPath(new URL("../data/routing/", import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.startsWith("train-") && name.endsWith(".tsv"))
  .sort();
const tasks = files.flatMap((name) => parseTsv(readFileSync(join(dir, name), "utf8"), name));
const started = performance.now();
const model = train(tasks);
const out = join(dir, "model.json");
writeFileSync(out, `${JSON.stringify(model)}\n`);
console.log(
  `trained on ${tasks.length} tasks from ${files.join(", ")} in ${(performance.now() - started).toFixed(0)} ms -> ${out}`,
);
