/**
 * Cold start of `hob --help` and `hob --version` (goal: median < 150 ms).
 * Each run is a new Node process, as when a user types the command.
 * Usage: npx tsx bench/startup.ts [runs]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, ms, percentile } from "./stats.js";

const runs = Number(process.argv[2] ?? 30);
const bin = fileURLToPath(new URL("../bin/hob.js", import.meta.url));
const home = mkdtempSync(join(tmpdir(), "hob-bench-"));
const env = { PATH: process.env.PATH, HOB_HOME: home };

function time(args: string[]): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env, stdio: "ignore" });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}`);
    if (i >= 3) times.push(elapsed); // the first runs warm the OS file cache
  }
  return times;
}

const rows: Array<[string, number[]]> = [
  ["node -e '' (baseline)", time(["-e", ""])],
  ["hob --help", time([bin, "--help"])],
  ["hob --version", time([bin, "--version"])],
];
console.log(`cold start, ${runs} runs each (after 3 warm-up runs)`);
for (const [name, times] of rows) {
  console.log(`${name.padEnd(24)} median ${ms(median(times))}  p90 ${ms(percentile(times, 90))}`);
}
const help = median(rows[1]?.[1] ?? []);
console.log(`goal: hob --help median < 150 ms -> ${help < 150 ? "met" : "NOT met"} (${ms(help)})`);
rmSync(home, { recursive: true, force: true });
