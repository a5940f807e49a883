/**
 * Orchestrator overhead per task over a zero-latency fake Anthropic server
 * (goal: < 5 ms per task beyond the HTTP call).
 *  1. Library: 200 sequential tasks through Orchestrator.run (real SQLite file, real
 *     provider code) against 200 direct provider calls; the difference is hob's cost.
 *  2. CLI: wall time of `hob run --json` minus the provider round trip measured alone.
 * Usage: npx tsx bench/overhead.ts [tasks]
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadConfig } from "../src/config/index.js";
import { createAnthropicProvider } from "../src/models/index.js";
import { createOrchestrator } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { FakeAnthropic } from "../test/fakes/anthropic.js";
import { median, ms, percentile } from "./stats.js";

const tasks = Number(process.argv[2] ?? 200);
const fake = await FakeAnthropic.start();
fake.setDefault(() => ({ kind: "text", text: "ok, done.", chunks: 3 }));
const home = mkdtempSync(join(tmpdir(), "hob-bench-"));
const env = { HOB_HOME: home, ANTHROPIC_API_KEY: "sk-ant-bench-0123456789", ANTHROPIC_BASE_URL: fake.url };
const now = () => Number(process.hrtime.bigint()) / 1e6;

try {
  const config = loadConfig(env);
  const store = Store.open(config.paths.database);
  const orchestrator = createOrchestrator(config, store);
  const provider = await createAnthropicProvider({
    apiKey: env.ANTHROPIC_API_KEY,
    baseUrl: fake.url,
    timeoutMs: 10_000,
  });
  const request = {
    model: "claude-haiku-4-5",
    messages: [{ role: "user" as const, content: "what is 2+2?" }],
    maxOutputTokens: 4096,
  };

  // Warm both paths (module loading, JIT, connection pool).
  for (let i = 0; i < 20; i++) {
    for await (const _ of provider.stream(request)) {
      // drain
    }
    await orchestrator.run({ input: "what is 2+2?", tier: "fast", cache: false });
  }

  const direct: number[] = [];
  const orchestrated: number[] = [];
  // Interleave the two so drift in machine load hits both alike.
  for (let i = 0; i < tasks; i++) {
    let start = now();
    for await (const _ of provider.stream(request)) {
      // drain
    }
    direct.push(now() - start);
    start = now();
    const result = await orchestrator.run({ input: "what is 2+2?", tier: "fast", cache: false });
    orchestrated.push(now() - start);
    if (result.status !== "succeeded") throw new Error(JSON.stringify(result.error));
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const overheadMean = (sum(orchestrated) - sum(direct)) / tasks;
  console.log(`library: ${tasks} sequential tasks`);
  console.log(`  direct provider call   median ${ms(median(direct), 2)}  p99 ${ms(percentile(direct, 99), 2)}`);
  console.log(
    `  Orchestrator.run       median ${ms(median(orchestrated), 2)}  p99 ${ms(percentile(orchestrated, 99), 2)}`,
  );
  console.log(
    `  overhead per task      mean ${ms(overheadMean, 2)}  median ${ms(median(orchestrated) - median(direct), 2)}`,
  );
  console.log(`  throughput             ${(1000 / (sum(orchestrated) / tasks)).toFixed(0)} tasks/s`);
  console.log(`  goal < 5 ms per task -> ${overheadMean < 5 ? "met" : "NOT met"}`);
  store.close();

  // CLI: one process per task, as a user runs it.
  const bin = fileURLToPath(new URL("../bin/hob.js", import.meta.url));
  const cli: number[] = [];
  const runs = 20;
  for (let i = 0; i < runs + 2; i++) {
    const start = now();
    // Asynchronous on purpose: the fake server lives in this process and must keep answering.
    await promisify(execFile)(
      process.execPath,
      [bin, "run", "--json", "--tier", "fast", "--no-cache", "what is 2+2?"],
      {
        env: { ...env, PATH: process.env.PATH },
      },
    );
    if (i >= 2) cli.push(now() - start);
  }
  const node: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = now();
    spawnSync(process.execPath, ["-e", ""]);
    node.push(now() - start);
  }
  console.log(`cli: hob run --json, ${runs} runs`);
  console.log(`  hob run wall time      median ${ms(median(cli))}`);
  console.log(`  provider round trip    median ${ms(median(direct), 2)} (measured above)`);
  console.log(`  hob run minus provider median ${ms(median(cli) - median(direct))}`);
  console.log(`  of which node start-up median ${ms(median(node))}`);
} finally {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
}
