/**
 * Does history size slow hob down? Seeds 1k, 10k and 100k task histories with the store's own
 * code (test/history-generator.ts: every agent and tier, tool steps, model calls with real
 * costs, escalations, some failures), then times whole processes of `hob history`, `hob stats`
 * and `hob show <prefix>` against each, runs interleaved (command by command, size by size,
 * rotating the order run by run) so machine noise hits every cell alike.
 * Goal: each command at 100k tasks within 1.2x of its 1k figure.
 * Usage: npx tsx bench/history-size.ts [runs] [sizes, e.g. 1000,10000,100000]
 * Needs the built CLI (`npm run build`). HOB_BENCH_HISTORY_DIR=DIR keeps the seeded histories
 * there and reuses them on the next run (seeding 100k tasks takes a while).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Store } from "../src/store/index.js";
import { generateHistory } from "../test/history-generator.js";
import { median, percentile } from "./stats.js";

const runs = Number(process.argv[2] ?? 15);
const sizes = (process.argv[3] ?? "1000,10000,100000").split(",").map(Number);
const bin = fileURLToPath(new URL("../bin/hob.js", import.meta.url));
const kept = process.env.HOB_BENCH_HISTORY_DIR;
const root = kept ?? mkdtempSync(join(tmpdir(), "hob-bench-history-"));

interface Seeded {
  size: number;
  home: string;
  prefix: string;
}

function seed(size: number): Seeded {
  const home = join(root, String(size));
  const prefixFile = join(home, "bench-prefix");
  if (kept && existsSync(prefixFile)) return { size, home, prefix: readFileSync(prefixFile, "utf8") };
  const started = performance.now();
  const store = Store.open(join(home, "hob.db"));
  const history = generateHistory(store, { tasks: size, seed: 7 });
  // A prefix of a task in the middle of the timeline, long enough to be unique.
  const id = history.ids.noise[Math.floor(history.ids.noise.length / 2)] as string;
  const prefix = id.slice(0, store.tasks.shortIdLength([id]));
  store.close();
  if (kept) writeFileSync(prefixFile, prefix);
  console.log(`seeded ${size} tasks in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { size, home, prefix };
}

const commands: Array<{ name: string; args: (s: Seeded) => string[] }> = [
  { name: "hob history", args: () => ["history"] },
  { name: "hob stats", args: () => ["stats"] },
  { name: "hob show <prefix>", args: (s) => ["show", s.prefix] },
];

try {
  const seeded = sizes.map(seed);
  const times = new Map<string, number[]>();
  // Run by run, each cell over the same command's first size in that run: pairs keep the ratio
  // meaningful when the machine's speed drifts (its median is the figure the goal is judged on).
  const ratios = new Map<string, number[]>();
  const cell = (command: string, size: number) => `${command}@${size}`;
  const once = (command: (typeof commands)[number], s: Seeded): number => {
    const start = process.hrtime.bigint();
    // The user's environment (NODE_EXTRA_CA_CERTS and all), with this history's HOB_HOME.
    const result = spawnSync(process.execPath, [bin, ...command.args(s)], {
      env: { ...process.env, HOB_HOME: s.home },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${command.name} at ${s.size} exited ${result.status}: ${result.stderr}`);
    return elapsed;
  };
  for (let run = -2; run < runs; run++) {
    // Rotate the order every run: no cell always follows the same neighbour.
    const order = seeded.flatMap((s) => commands.map((c) => ({ c, s })));
    const shift = ((run % order.length) + order.length) % order.length;
    for (const { c, s } of [...order.slice(shift), ...order.slice(0, shift)]) {
      const elapsed = once(c, s);
      if (run < 0) continue; // warm-up: the OS file cache, SQLite pages
      const key = cell(c.name, s.size);
      times.set(key, [...(times.get(key) ?? []), elapsed]);
    }
    if (run < 0) continue;
    for (const c of commands) {
      const base = times.get(cell(c.name, sizes[0] as number))?.at(-1) as number;
      for (const size of sizes) {
        const key = cell(c.name, size);
        ratios.set(key, [...(ratios.get(key) ?? []), (times.get(key)?.at(-1) as number) / base]);
      }
    }
  }
  const first = sizes[0] as number;
  console.log(`\nwhole process, ${runs} interleaved runs per cell (after 2 warm-up rounds)`);
  console.log(
    `${"command".padEnd(20)}${"tasks".padStart(8)}${"p50 ms".padStart(9)}${"p90 ms".padStart(9)}  vs ${first} (paired p50)`,
  );
  let met = true;
  for (const c of commands) {
    for (const size of sizes) {
      const t = times.get(cell(c.name, size)) ?? [];
      const ratio = median(ratios.get(cell(c.name, size)) ?? []);
      if (size === sizes[sizes.length - 1] && ratio > 1.2) met = false;
      console.log(
        `${c.name.padEnd(20)}${String(size).padStart(8)}${median(t).toFixed(0).padStart(9)}${percentile(t, 90).toFixed(0).padStart(9)}  ${ratio.toFixed(2)}x`,
      );
    }
  }
  console.log(
    `goal: every command at ${sizes[sizes.length - 1]} tasks within 1.2x of ${first} -> ${met ? "met" : "NOT met"}`,
  );
} finally {
  if (!kept) rmSync(root, { recursive: true, force: true });
}
