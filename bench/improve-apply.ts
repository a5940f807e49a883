/**
 * Applying and rolling back an approved proposal: the time from `approve` to the commit in
 * the managed repository (hash re-check, approval decided and spent, git apply, commit,
 * reload) and from `rollback` to the revert commit. Real SQLite file, real git, a routing
 * change drafted by hob itself (no model). In process (median and p90 of 30) and as a
 * whole `hob proposals approve|rollback` process, the way a user feels it (median of 5).
 * Usage: npx tsx bench/improve-apply.ts   (the CLI half needs `npm run build` first)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, TIERS } from "../src/config/index.js";
import { applyDeps, approveProposal, rollbackProposal } from "../src/improve/index.js";
import { Store } from "../src/store/index.js";
import { pendingRoutingProposal } from "../test/proposal-helper.js";
import { median, ms, percentile } from "./stats.js";

const home = mkdtempSync(join(tmpdir(), "hob-bench-apply-"));
const env = { HOB_HOME: home, OLLAMA_HOST: "http://127.0.0.1:47", PATH: process.env.PATH ?? "" };
const p90 = (values: number[]) => percentile(values, 90);

try {
  const store = Store.open(join(home, "hob.db"));
  const deps = await applyDeps(loadConfig(env), store, env);
  const apply: number[] = [];
  const rollback: number[] = [];
  // Each proposal differs from the current routing.yaml: tiers cycle, and every one is rolled back after.
  for (let n = 1; n <= 30; n++) {
    const id = await pendingRoutingProposal(store, env, {
      key: `bench:${n}`,
      complexity: "complex",
      agent: "general",
      tier: TIERS[n % TIERS.length] as string,
    });
    let started = performance.now();
    await approveProposal(deps, id, "bench");
    apply.push(performance.now() - started);
    started = performance.now();
    await rollbackProposal(deps, id);
    rollback.push(performance.now() - started);
  }
  console.log("in process (30 proposals, real git and SQLite):");
  console.log(`  approve → applied (commit)   median ${ms(median(apply))}  p90 ${ms(p90(apply))}`);
  console.log(`  rollback → rolled_back       median ${ms(median(rollback))}  p90 ${ms(p90(rollback))}`);

  const cliApply: number[] = [];
  const cliRollback: number[] = [];
  const bin = new URL("../bin/hob.js", import.meta.url).pathname;
  for (let n = 31; n <= 35; n++) {
    const id = await pendingRoutingProposal(store, env, {
      key: `bench:${n}`,
      complexity: "complex",
      agent: "general",
      tier: TIERS[n % TIERS.length] as string,
    });
    let started = performance.now();
    execFileSync(process.execPath, [bin, "proposals", "approve", id, "--json"], { env });
    cliApply.push(performance.now() - started);
    started = performance.now();
    execFileSync(process.execPath, [bin, "proposals", "rollback", id, "--json"], { env });
    cliRollback.push(performance.now() - started);
  }
  store.close();
  console.log("whole process (5 proposals, `hob proposals approve|rollback --json`):");
  console.log(`  hob proposals approve        median ${ms(median(cliApply))}`);
  console.log(`  hob proposals rollback       median ${ms(median(cliRollback))}`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
