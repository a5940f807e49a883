/**
 * What "reload without a restart" costs: a long-running process loads the config and builds an
 * orchestrator per task (loadOrchestrator), so changes in the managed repository apply at the next
 * task. Measures loadConfig, createOrchestrator and a skill sync over unchanged skills.
 * Usage: npx tsx bench/reload.ts [runs]
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config/index.js";
import { createOrchestrator, createSkillRegistry, loadOrchestrator } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { median, ms, percentile } from "./stats.js";

const runs = Number(process.argv[2] ?? 300);
const fixtures = fileURLToPath(new URL("../test/fixtures/skills/", import.meta.url));
const home = mkdtempSync(join(tmpdir(), "hob-bench-reload-"));
const env = { HOB_HOME: home };
const skills = ["perf-guide", "web-a11y-rules", "xlsx-recalc", "pdf-forms"];
for (const name of skills) cpSync(join(fixtures, name), join(home, "managed", "skills", name), { recursive: true });
mkdirSync(join(home, "managed", "agents"), { recursive: true });
writeFileSync(join(home, "managed", "routing.yaml"), "classifier_threshold: 0.8\n");
const store = Store.open(join(home, "hob.db"));

async function time(fn: () => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const start = performance.now();
    await fn();
    if (i >= 5) times.push(performance.now() - start);
  }
  return times;
}

try {
  const config = loadConfig(env);
  const first = performance.now();
  await createSkillRegistry(config, store).sync();
  console.log(`first skill sync (validates ${skills.length} instruction skills): ${ms(performance.now() - first)}`);
  await time(() => loadConfig(env)); // warms zod's and yaml's code paths
  const rows: Array<[string, number[]]> = [
    ["loadConfig", await time(() => loadConfig(env))],
    ["createOrchestrator (config given)", await time(() => createOrchestrator(config, store))],
    ["loadOrchestrator (config + orchestrator)", await time(() => loadOrchestrator(env, store))],
    [`skill sync, ${skills.length} unchanged`, await time(() => createSkillRegistry(config, store).sync())],
  ];
  for (const [label, times] of rows) {
    console.log(`${label.padEnd(42)} median ${ms(median(times), 2)}  p95 ${ms(percentile(times, 95), 2)}`);
  }
} finally {
  store.close();
  rmSync(home, { recursive: true, force: true });
}
