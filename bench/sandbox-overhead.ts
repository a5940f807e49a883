/**
 * SandboxedFileSystem overhead per call against plain `fs` on the same files
 * (goal: < 50 µs added at p50). Reads and writes a small file inside a nested folder,
 * interleaved so machine noise hits both alike. The sandbox is the one a task gets
 * (createToolContext: hob's protected paths, and every access audited into the SQLite store).
 * Usage: npx tsx bench/sandbox-overhead.ts [calls]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.js";
import { createToolContext } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { median, percentile } from "./stats.js";

const calls = Number(process.argv[2] ?? 5000);
const home = mkdtempSync(join(tmpdir(), "hob-bench-"));
const root = join(home, "workspace");
const config = loadConfig({ ...process.env, HOB_HOME: home });
const store = Store.open(config.paths.database);
try {
  mkdirSync(join(root, "notes", "2026", "november"), { recursive: true });
  const rel = "notes/2026/november/meeting.md";
  const abs = join(root, rel);
  writeFileSync(abs, "# Meeting\n".repeat(50));
  const task = store.tasks.create({
    input: "bench",
    agent: "fileops",
    tier: "local-fast",
    tierReason: "bench",
    model: "m",
  });
  const approvals = { approveDomain: () => undefined, isDomainApproved: () => false };
  const { fs } = await createToolContext(
    config,
    { store, approvals },
    task.id,
    root,
    { created: [], written: [], sources: [] },
    undefined,
    Date.now,
  );
  const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
  const measure = async (plain: () => Promise<unknown>, sandboxed: () => Promise<unknown>) => {
    for (let i = 0; i < 200; i++) {
      await plain();
      await sandboxed();
    }
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < calls; i++) {
      let start = performance.now();
      await plain();
      a.push(performance.now() - start);
      start = performance.now();
      await sandboxed();
      b.push(performance.now() - start);
    }
    return { plain: median(a), sandboxed: median(b), p99: percentile(b, 99) };
  };
  // The sandbox does its syscalls synchronously, so the fair baseline is plain synchronous fs;
  // plain asynchronous fs (what most code uses) is shown too.
  const read = await measure(
    async () => readFileSync(abs, "utf8"),
    () => fs.readFile(rel),
  );
  const write = await measure(
    async () => writeFileSync(abs, "updated\n"),
    () => fs.writeFile(rel, "updated\n"),
  );
  const readAsync = await measure(
    () => readFile(abs, "utf8"),
    () => fs.readFile(rel),
  );
  const writeAsync = await measure(
    () => writeFile(abs, "updated\n"),
    () => fs.writeFile(rel, "updated\n"),
  );
  const checkTimes: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    fs.check(rel, "read");
    checkTimes.push(performance.now() - start);
  }
  console.log(
    `SandboxedFileSystem vs plain fs, ${calls} calls each, a ${"# Meeting\n".length * 50}-byte file 3 folders deep`,
  );
  console.log(
    `  read   plain sync p50 ${us(read.plain)}  sandboxed p50 ${us(read.sandboxed)} (p99 ${us(read.p99)})  added ${us(read.sandboxed - read.plain)}`,
  );
  console.log(
    `  write  plain sync p50 ${us(write.plain)}  sandboxed p50 ${us(write.sandboxed)} (p99 ${us(write.p99)})  added ${us(write.sandboxed - write.plain)}`,
  );
  console.log(`  (plain async fs.promises: read p50 ${us(readAsync.plain)}, write p50 ${us(writeAsync.plain)})`);
  console.log(`  path check alone p50 ${us(median(checkTimes))}`);
  const added = Math.max(read.sandboxed - read.plain, write.sandboxed - write.plain);
  console.log(`  goal < 50 µs added p50 -> ${added < 0.05 ? "met" : "NOT met"} (worst ${us(added)})`);
  console.log(`  (${store.audit.list({ limit: 1_000_000 }).length} accesses audited into the store)`);
} finally {
  store.close();
  rmSync(home, { recursive: true, force: true });
}
