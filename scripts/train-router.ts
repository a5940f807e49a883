/**
 * Retrains the embedded routing classifier from data/routing/train-*.tsv and writes
 * data/routing/model.json. Deterministic: the same data gives the same file.
 * The evaluation sets (data/routing/eval*.tsv) are never read here.
 * Prints the cross-validation accuracy and the out-of-fold reliability table (calibrated
 * confidence → how often the decision was right), which `routing.classifier_threshold` is chosen from.
 * Usage: npm run train:router
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { reliability } from "../src/routing/calibration.js";
import { type OutOfFoldPoint, parseTsv, train } from "../src/routing/trainer.js";

const dir = fileURLToPath(new URL("../data/routing/", import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.startsWith("train-") && name.endsWith(".tsv"))
  .sort();
const tasks = files.flatMap((name) => parseTsv(readFileSync(join(dir, name), "utf8"), name));
const started = performance.now();
let points: OutOfFoldPoint[] = [];
const model = train(tasks, {
  onOutOfFold: (p) => {
    points = p;
  },
});
const out = join(dir, "model.json");
writeFileSync(out, `${JSON.stringify(model)}\n`);
const cv = model.cross_validation;
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
console.log(
  `trained on ${tasks.length} tasks from ${files.length} files in ${(performance.now() - started).toFixed(0)} ms -> ${out}`,
);
console.log(
  `${cv.folds}-fold cross-validation: agent ${pct(cv.agent_accuracy)}, complexity ${pct(cv.complexity_accuracy)}, both ${pct(cv.both_accuracy)}; temperatures agent ${model.agent.temperature}, complexity ${model.complexity.temperature}`,
);
console.log("out of fold, calibrated confidence -> decision (agent and complexity) right:");
const right = points.map((p) => ({
  confidence: p.confidence,
  correct: p.agent === p.task.agent && p.complexity === p.task.complexity,
}));
for (const b of reliability(right))
  console.log(
    `  ${b.from.toFixed(2)}–${b.to.toFixed(2)}  ${String(b.count).padStart(5)} tasks  ${pct(b.correct / b.count)} right`,
  );
for (const threshold of [0.6, 0.7, 0.75, 0.8, 0.85, 0.9]) {
  const above = right.filter((p) => p.confidence >= threshold);
  console.log(
    `  threshold ${threshold}: ${pct(above.length / right.length)} decided by the classifier, ${pct(above.filter((p) => p.correct).length / Math.max(1, above.length))} of those right`,
  );
}
