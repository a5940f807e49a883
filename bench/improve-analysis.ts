/**
 * The self-improvement analysis over generated task histories of 10k and 100k tasks (a real
 * SQLite file in a temp dir, written through the store's repositories with planted patterns):
 * the time of `analyseHistory` over all of it and over the last tenth, median of a few runs, in
 * wall time and in this process's CPU time (which a busy machine inflates less).
 * Usage: npx tsx bench/improve-analysis.ts [sizes…]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_TIER_MAP, LOCAL_TIERS } from "../src/config/index.js";
import { analyseHistory } from "../src/improve/analysis/index.js";
import { Store } from "../src/store/index.js";
import { generateHistory } from "../test/history-generator.js";
import { median, ms } from "./stats.js";

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const RUNS = 5;
const tiers = { simple: { ...DEFAULT_TIER_MAP.simple }, complex: { ...DEFAULT_TIER_MAP.complex } };

for (const size of sizes.length > 0 ? sizes : [10_000, 100_000]) {
  const home = mkdtempSync(join(tmpdir(), "hob-bench-analysis-"));
  try {
    const file = join(home, "hob.db");
    let store = Store.open(file);
    const scale = size / 10_000;
    const started = performance.now();
    const history = generateHistory(store, {
      tasks: size,
      seed: 42,
      plant: {
        family: Math.round(40 * scale),
        german: Math.round(12 * scale),
        japanese: Math.round(12 * scale),
        failingSkill: { tasks: Math.round(30 * scale), failRate: 0.6 },
        decliningSkill: { tasks: Math.round(60 * scale), splitAt: 0.8, before: 0.95, after: 0.3 },
        maxSteps: Math.round(60 * scale),
        localInCloudClass: { local: Math.round(30 * scale), cloud: Math.round(10 * scale) },
        repeated: 6,
        toolFailure: Math.round(150 * scale),
      },
    });
    const generated = performance.now() - started;
    store.close();
    store = Store.open(file); // a cold handle, as `hob improve run` would open it
    const windows = { all: null, "last 10%": history.start + (history.end - history.start) * 0.9 };
    for (const [label, since] of Object.entries(windows)) {
      const times: number[] = [];
      const cpu: number[] = [];
      let findings = 0;
      for (let run = 0; run < RUNS; run++) {
        const t = performance.now();
        const c = process.cpuUsage();
        findings = analyseHistory(store.db, {
          since,
          now: history.end + 60_000,
          minEvidence: 3,
          tiers,
          localTiers: LOCAL_TIERS,
        }).length;
        times.push(performance.now() - t);
        const used = process.cpuUsage(c);
        cpu.push((used.user + used.system) / 1000);
      }
      console.log(
        `${size.toLocaleString("en")} tasks, ${label}: median ${ms(median(times), 0)} (CPU ${ms(median(cpu), 0)}), ` +
          `first ${ms(times[0] as number, 0)} ` +
          `(${findings} findings; history generated in ${(generated / 1000).toFixed(1)} s)`,
      );
    }
    store.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
