/**
 * Sandbox start-up: a command run the way skills run (bubblewrap, limits, captured
 * output) against spawning it directly (goal: < 30 ms added). Measured for the
 * sandbox layer (`runSandboxed`, what a skill run pays) and for the whole CLI
 * (`hob sandbox exec -- true`, which also starts Node and loads hob).
 * Usage: npx tsx bench/sandbox-startup.ts [runs]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runSandboxed } from "../src/sandbox/index.js";
import { median, ms } from "./stats.js";

const runs = Number(process.argv[2] ?? 40);
const home = mkdtempSync(join(tmpdir(), "hob-bench-"));
const run = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<number>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { stdio: "ignore", env });
    child.on("error", reject);
    child.on("close", () => resolve(performance.now() - started));
  });
try {
  const direct: number[] = [];
  const sandboxed: number[] = [];
  const cli: number[] = [];
  const bin = fileURLToPath(new URL("../bin/hob.js", import.meta.url));
  for (let i = 0; i < runs + 3; i++) {
    const d = await run("/bin/true", []);
    let started = performance.now();
    await runSandboxed({ command: "/bin/true", workspace: home });
    const s = performance.now() - started;
    started = performance.now();
    const c = await run(process.execPath, [bin, "sandbox", "exec", "--", "true"], {
      PATH: process.env.PATH,
      HOB_HOME: home,
    });
    if (i >= 3) {
      direct.push(d);
      sandboxed.push(s);
      cli.push(c);
    }
  }
  const added = median(sandboxed) - median(direct);
  console.log(`sandbox start-up, ${runs} runs each`);
  console.log(`  spawn true directly            p50 ${ms(median(direct), 2)}`);
  console.log(
    `  runSandboxed true (bwrap)      p50 ${ms(median(sandboxed), 2)}  ratio ${(median(sandboxed) / median(direct)).toFixed(1)}×  added ${ms(added, 2)}`,
  );
  console.log(
    `  hob sandbox exec -- true (CLI) p50 ${ms(median(cli), 2)}  added ${ms(median(cli) - median(direct), 2)} (includes Node start-up)`,
  );
  console.log(`  goal < 30 ms added (sandbox layer) -> ${added < 30 ? "met" : "NOT met"}`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
