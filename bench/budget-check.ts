/**
 * Spend-budget overhead: what the router adds before and after each cloud call when a budget is
 * set — the worst-case estimate of the request, its price, and a reservation taken and given back
 * in the database (BEGIN IMMEDIATE; expired rows swept; per-task, daily and monthly windows summed).
 * In-process, on a file database in WAL mode like hob's, with a month of history behind it
 * (HISTORY calls spread over the last 30 days, a task every 3 calls). Goal: < 1 ms per call.
 * Usage: npx tsx bench/budget-check.ts [calls] [history]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBudgetGuard } from "../src/budgets/index.js";
import { type Message, PriceTable, worstCaseUsage } from "../src/models/index.js";
import { Store } from "../src/store/index.js";
import { median, ms, percentile } from "./stats.js";

const calls = Number(process.argv[2] ?? 2000);
const history = Number(process.argv[3] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), "hob-bench-budget-"));
try {
  const store = Store.open(join(dir, "hob.db"));
  const now = Date.now();
  const insertTask = store.db.prepare(
    "INSERT INTO tasks (id, created_at, updated_at, input, status) VALUES (?, ?, ?, 'bench', 'succeeded')",
  );
  const insertCall = store.db.prepare(
    `INSERT INTO model_calls (task_id, created_at, provider, model, tier, attempt, input_tokens, output_tokens, cost_usd, ok)
     VALUES (?, ?, 'anthropic', 'claude-haiku-4-5', 'fast', 1, 2000, 300, 0.0035, 1)`,
  );
  store.db.transaction(() => {
    for (let i = 0; i < history; i++) {
      const at = now - Math.floor((i / history) * 30 * 86_400_000);
      if (i % 3 === 0) insertTask.run(`task-${i}`, at, at);
      insertCall.run(`task-${i - (i % 3)}`, at);
    }
  })();
  const guard = createBudgetGuard(
    { daily_usd: 1e6, monthly_usd: 1e6, per_task_usd: 1e6, timezone: "Europe/Berlin" },
    store,
  );
  if (!guard) throw new Error("no guard");
  const prices = new PriceTable();
  // A mid-task request: a system prompt, a task, a tool call and its result, two tools.
  const messages: Message[] = [
    { role: "user", content: "Summarise what the notes say about the dentist and the car. ".repeat(20) },
    {
      role: "assistant",
      content: [{ type: "tool-call", toolCallId: "1", toolName: "read_file", input: { path: "notes.md" } }],
    },
    {
      role: "tool",
      content: [{ type: "tool-result", toolCallId: "1", toolName: "read_file", output: "line of notes\n".repeat(300) }],
    },
  ];
  const request = {
    system: "You are hob's fileops agent. ".repeat(40),
    messages,
    tools: [
      {
        name: "read_file",
        description: "Reads a file.",
        inputSchema: { type: "object", properties: { path: { type: "string" } } },
      },
      {
        name: "list_files",
        description: "Lists files.",
        inputSchema: { type: "object", properties: { dir: { type: "string" } } },
      },
    ],
  };
  const once = (task: string) => {
    const worst = prices.cost("claude-haiku-4-5", worstCaseUsage(request, 4096));
    guard.reserve({ taskId: task, worstCaseUsd: worst, model: "claude-haiku-4-5", modelName: "fast" }).release();
  };
  for (let i = 0; i < 200; i++) once("task-0");
  const estimate: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < calls; i++) {
    const task = `task-${(i * 3) % history}`;
    let start = performance.now();
    prices.cost("claude-haiku-4-5", worstCaseUsage(request, 4096));
    estimate.push(performance.now() - start);
    start = performance.now();
    once(task);
    total.push(performance.now() - start);
  }
  console.log(`budget check over ${calls} calls, ${history} calls of history in the last 30 days (WAL file database)`);
  console.log(`  worst-case estimate + price   p50 ${ms(median(estimate), 3)}`);
  console.log(`  estimate + reserve + release p50 ${ms(median(total), 3)}  p95 ${ms(percentile(total, 95), 3)}`);
  console.log(`  goal < 1 ms per call -> ${median(total) < 1 ? "met" : "NOT met"}`);
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
