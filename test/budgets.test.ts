/**
 * Spend budgets end to end: hob.yaml `budgets:`, the fake Anthropic and Ollama servers speaking
 * their wire protocols, the real router, orchestrator, recorder and SQLite store.
 *
 * Prices are set per deployment so the arithmetic is exact: input costs nothing, output
 * $10 per million tokens, and max_output_tokens is 1000, so a call's worst case is $0.01 and a
 * reply that reports 1000 output tokens costs exactly that.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { budgetPeriods } from "../src/budgets/index.js";
import { loadConfig } from "../src/config/index.js";
import { worstCaseUsage } from "../src/models/index.js";
import { createOrchestrator } from "../src/orchestrator/index.js";
import { Database, Store } from "../src/store/index.js";
import { FakeAnthropic } from "./fakes/anthropic.js";
import { FakeOllama } from "./fakes/ollama.js";
import { runCli, spawnHob, tempHome, testEnv, writeHobConfig, writeRouterConfig } from "./helpers.js";

const PRICED = "input_cost_per_token: 0, output_cost_per_token: 0.00001";
const WORST = 0.01;
const CLOUD = `  - model_name: fast\n    litellm_params: { model: anthropic/claude-haiku-4-5, ${PRICED} }\n`;
const LOCAL = "  - model_name: local\n    litellm_params: { model: ollama_chat/qwen3:8b }\n";
const paid = (text: string) => ({ kind: "text" as const, text, usage: { input_tokens: 500, output_tokens: 1000 } });

function config(home: string, budgets: string, routing = "") {
  writeHobConfig(
    home,
    `routing: { default_tier: fast${routing} }\nmax_output_tokens: 1000\nmemory: { enabled: false }\nbudgets: { timezone: UTC, ${budgets} }\n`,
  );
}

function router(home: string, models: string, settings = "num_retries: 0") {
  writeRouterConfig(home, `model_list:\n${models}router_settings: { ${settings} }\n`);
}

interface ErrorJson {
  error: { code: string; message: string; hint: string };
  id: string;
  status: string;
}

/** The recorded cost of every model call in the database. */
function recordedSpend(home: string): { cost: number; calls: number } {
  const db = new Database(join(home, "hob.db"), { readonly: true });
  try {
    return db.prepare("SELECT COALESCE(SUM(cost_usd), 0) AS cost, COUNT(*) AS calls FROM model_calls").get() as {
      cost: number;
      calls: number;
    };
  } finally {
    db.close();
  }
}

/** A task row and one call of `cost` at `at`, as an earlier run would have recorded them. */
function recordEarlierCall(home: string, at: number, cost: number): void {
  const store = Store.open(join(home, "hob.db"));
  store.close();
  const db = new Database(join(home, "hob.db"));
  try {
    const id = `t-${at}-${Math.random().toString(36).slice(2, 8)}`;
    db.prepare(
      "INSERT INTO tasks (id, created_at, updated_at, input, status) VALUES (?, ?, ?, 'earlier', 'succeeded')",
    ).run(id, at, at);
    db.prepare(
      `INSERT INTO model_calls (task_id, created_at, provider, model, tier, attempt, output_tokens, cost_usd, ok)
       VALUES (?, ?, 'anthropic', 'claude-haiku-4-5', 'fast', 1, 1000, ?, 1)`,
    ).run(id, at, cost);
  } finally {
    db.close();
  }
}

describe("spend budgets (fake servers, real router and store)", () => {
  let anthropic: FakeAnthropic;
  let ollama: FakeOllama;
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [anthropic, ollama] = await Promise.all([FakeAnthropic.start(), FakeOllama.start()]);
  });
  afterAll(async () => {
    await Promise.all([anthropic.close(), ollama.close()]);
  });
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    anthropic.reset();
    anthropic.setDefault(() => paid("ok"));
    ollama.reset();
    env = testEnv(home, anthropic.url, { OLLAMA_HOST: ollama.url });
    mkdirSync(join(home, "workspace"), { recursive: true });
    writeFileSync(join(home, "workspace", "notes.md"), "dentist on monday\n");
  });
  afterEach(() => cleanup());

  it("per task: a tool loop whose third step would pass the limit stops between steps, recorded with what it spent", async () => {
    router(home, CLOUD);
    config(home, "per_task_usd: 0.025");
    const read = {
      kind: "tool_use" as const,
      name: "read_file",
      input: { path: "notes.md" },
      usage: { output_tokens: 1000 },
    };
    anthropic.enqueue(read, read, read, paid("Monday."));
    const run = await runCli(["run", "--json", "--agent", "fileops", "when is the dentist?"], { env });
    expect(run.code).toBe(1);
    const out = run.json() as ErrorJson;
    expect(out.status).toBe("failed");
    expect(out.error.code).toBe("E_BUDGET");
    expect(out.error.message).toContain("Per-task budget reached: this task has spent $0.0200 of its $0.0250");
    expect(out.error.message).toContain("could cost up to $0.0100");
    expect(out.error.hint).toContain("budgets.per_task_usd");
    expect(out.error.hint).toContain("HOB_BUDGET_PER_TASK_USD");
    expect(out.error.hint).toContain("hob stats");
    // Two model turns were made, the third was not sent.
    expect(anthropic.messageRequests).toHaveLength(2);

    const show = (await runCli(["show", "--json", out.id], { env })).json() as {
      status: string;
      error_code?: string;
      cost_usd: number;
      model_calls: unknown[];
      steps: Array<{ tool: string; status: string }>;
    };
    expect(show).toMatchObject({ status: "failed", cost_usd: 0.02 });
    expect(show.model_calls).toHaveLength(2);
    expect(show.steps.map((s) => [s.tool, s.status])).toEqual([
      ["read_file", "success"],
      ["read_file", "success"],
    ]);
    // The history is whole: the next task runs, and stats counts the stopped one.
    const stats = (await runCli(["stats", "--json"], { env })).json() as {
      budgets: { per_task: { spent_usd: number; limit_usd: number; stopped_tasks: number; task_id: string } };
    };
    expect(stats.budgets.per_task).toMatchObject({
      spent_usd: 0.02,
      limit_usd: 0.025,
      stopped_tasks: 1,
      task_id: out.id,
    });
    anthropic.reset();
    const next = await runCli(["run", "--json", "something else"], { env });
    expect(next.code).toBe(0);
  });

  it("daily: the call that could pass the day's limit is not made; earlier days do not count; stats and run warn at 80%", async () => {
    router(home, CLOUD);
    config(home, "daily_usd: 0.025");
    const { dayStart } = budgetPeriods(Date.now(), "UTC");
    recordEarlierCall(home, dayStart - 60_000, 5); // yesterday (UTC): not today's spend

    expect((await runCli(["run", "first question"], { env })).code).toBe(0);
    const second = await runCli(["run", "second question"], { env });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain("budget: Today, hob has spent $0.0200 of the $0.0250 daily budget (80%)");
    expect(second.stderr).toContain("budgets.daily_usd raises it");

    const third = await runCli(["run", "--json", "third question"], { env });
    expect(third.code).toBe(1);
    const out = third.json() as ErrorJson;
    expect(out.error.code).toBe("E_BUDGET");
    expect(out.error.message).toMatch(/^Daily budget reached: \$0\.0200 of \$0\.0250 spent today \(UTC\)/);
    expect(out.error.hint).toContain("budgets.daily_usd");
    expect(out.error.hint).toContain("HOB_BUDGET_DAILY_USD");
    expect(out.error.hint).toContain("hob stats");
    expect(anthropic.messageRequests).toHaveLength(2);

    const stats = (await runCli(["stats", "--json"], { env })).json() as { budgets: Record<string, unknown> };
    expect(stats.budgets).toMatchObject({
      timezone: "UTC",
      daily: { spent_usd: 0.02, limit_usd: 0.025, remaining_usd: 0.005, share: 0.8, warning: true },
      monthly: null,
      per_task: null,
    });
    const human = await runCli(["stats"], { env });
    expect(human.stdout).toContain("Budgets (UTC)");
    expect(human.stdout).toMatch(/today\s+\$0\.0200\s+\$0\.0250\s+\$0\.0050\s+80%\s+⚠ over 80%/);

    // The environment wins over hob.yaml: a higher limit lets the call through, `off` removes it.
    const raised = await runCli(["run", "--json", "third question"], { env: { ...env, HOB_BUDGET_DAILY_USD: "0.05" } });
    expect(raised.code).toBe(0);
    const off = await runCli(["run", "--json", "fourth question"], { env: { ...env, HOB_BUDGET_DAILY_USD: "off" } });
    expect(off.code).toBe(0);
    const bad = await runCli(["run", "--json", "x"], { env: { ...env, HOB_BUDGET_DAILY_USD: "lots" } });
    expect(bad.json()).toMatchObject({
      error: { code: "E_CONFIG", message: expect.stringContaining("HOB_BUDGET_DAILY_USD") },
    });
  });

  it("monthly: this month's calls count (from its first midnight), last month's do not", async () => {
    router(home, CLOUD);
    config(home, "monthly_usd: 0.025");
    const { monthStart } = budgetPeriods(Date.now(), "UTC");
    recordEarlierCall(home, monthStart, 0.015);
    recordEarlierCall(home, monthStart - 1, 100);
    expect((await runCli(["run", "one"], { env })).code).toBe(0);
    const refused = await runCli(["run", "--json", "two"], { env });
    expect((refused.json() as ErrorJson).error.message).toMatch(
      /^Monthly budget reached: \$0\.0250 of \$0\.0250 spent this month \(UTC\)/,
    );
    expect(anthropic.messageRequests).toHaveLength(1);
  });

  it("falls back to the local tier through the router's fallbacks when the budget forbids the cloud call", async () => {
    router(home, CLOUD + LOCAL, "num_retries: 0, fallbacks: [{ fast: [local] }]");
    config(home, "daily_usd: 0.005");
    const run = await runCli(["run", "--json", "what is 2+2?"], { env });
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ status: "succeeded", tier: "local", model: "qwen3:8b" });
    expect(anthropic.messageRequests).toHaveLength(0);
    expect(ollama.requests.filter((r) => r.path === "/api/chat")).toHaveLength(1);
    const show = (await runCli(["show", "--json", (run.json() as { id: string }).id], { env })).json() as {
      fallback: string;
    };
    expect(show.fallback).toBe("fast → local (E_BUDGET)");
  });

  it("moves a task to a local tier mid-task, keeping the conversation; a tier the user forced stops with E_BUDGET", async () => {
    router(home, CLOUD + LOCAL); // no router fallbacks: the orchestrator moves the task
    // The fileops agent's tier (local-fast) is the cloud model here.
    config(home, "per_task_usd: 0.015", ", models: { local-fast: fast }");
    anthropic.enqueue({
      kind: "tool_use",
      name: "read_file",
      input: { path: "notes.md" },
      usage: { output_tokens: 1000 },
    });
    ollama.enqueue({ kind: "text", text: "Monday, says the local model." });
    const run = await runCli(["run", "--json", "--agent", "fileops", "when is the dentist?"], { env });
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ status: "succeeded", tier: "local", output: "Monday, says the local model." });
    const moved = (await runCli(["show", "--json", (run.json() as { id: string }).id], { env })).json() as {
      fallback: string;
    };
    expect(moved.fallback).toBe("local-fast → local (E_BUDGET)");
    expect(anthropic.messageRequests).toHaveLength(1);
    const chats = ollama.requests.filter((r) => r.path === "/api/chat");
    expect(chats).toHaveLength(1);
    // The local model continued the same conversation: the cloud's tool call and its result are in it.
    expect(JSON.stringify(chats[0]?.body.messages)).toContain("dentist on monday");

    anthropic.reset();
    const forced = await runCli(["run", "--json", "--tier", "fast", "--agent", "fileops", "again?"], {
      env: { ...env, HOB_BUDGET_PER_TASK_USD: "0.005" },
    });
    expect(forced.code).toBe(1);
    expect((forced.json() as ErrorJson).error.code).toBe("E_BUDGET");
    expect(anthropic.messageRequests).toHaveLength(0);
  });

  it("a model with no known price is not called while a budget is set (its cost cannot be bounded)", async () => {
    router(home, "  - model_name: fast\n    litellm_params: { model: anthropic/mystery-model-x }\n");
    config(home, "monthly_usd: 100");
    const run = await runCli(["run", "--json", "hello"], { env });
    const out = run.json() as ErrorJson;
    expect(out.error.code).toBe("E_BUDGET");
    expect(out.error.message).toContain("mystery-model-x (fast) has no known price");
    expect(out.error.hint).toContain("pricing:");
    expect(anthropic.messageRequests).toHaveLength(0);
  });

  it("concurrent tasks in one process (one store, as hob serve runs them) never pass the limit together", async () => {
    router(home, CLOUD);
    config(home, "daily_usd: 0.035");
    anthropic.setDefault(() => ({ ...paid("slow answer"), chunks: 5, chunkDelayMs: 30 }));
    const loaded = loadConfig(env);
    const store = Store.open(loaded.paths.database);
    try {
      const orchestrator = createOrchestrator(loaded, store);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => orchestrator.run({ input: `parallel task ${i}`, tier: "fast" })),
      );
      const ok = results.filter((r) => r.status === "succeeded");
      expect(ok).toHaveLength(3);
      expect(results.filter((r) => r.error?.code === "E_BUDGET")).toHaveLength(5);
      // Without reservations all eight would have started (each saw nothing spent yet).
      expect(anthropic.messageRequests).toHaveLength(3);
      const spend = recordedSpend(home);
      expect(spend.cost).toBeLessThanOrEqual(0.035 + WORST);
      expect(spend.cost).toBeCloseTo(0.03, 9);
      // Every reservation was given back.
      expect(store.budgets.reserved()).toBe(0);
    } finally {
      store.close();
    }
  });

  it("two processes sharing the database together stay within the limit", async () => {
    router(home, CLOUD);
    config(home, "daily_usd: 0.025");
    anthropic.setDefault(() => ({ ...paid("slow answer"), chunks: 10, chunkDelayMs: 100 }));
    // Make the database once first, so the processes do not race to create it.
    Store.open(join(home, "hob.db")).close();
    const runs = await Promise.all(
      Array.from({ length: 4 }, (_, i) => spawnHob(["run", "--json", `process task ${i}`], env)),
    );
    // Two calls fit: two processes answer, the others are refused, however their calls overlapped.
    expect(runs.map((r) => r.code).sort()).toEqual([0, 0, 1, 1]);
    for (const r of runs.filter((r) => r.code !== 0)) expect((r.json() as ErrorJson).error.code).toBe("E_BUDGET");
    const spend = recordedSpend(home);
    expect(spend.cost).toBeLessThanOrEqual(0.025 + WORST);
    expect(spend.cost).toBeLessThanOrEqual(0.025 + 1e-9); // with exact worst cases, not even one call over
  }, 60_000);

  it("a crashed process's reservation does not block: a dead pid's row is swept, and so is an expired one", async () => {
    router(home, CLOUD);
    config(home, "daily_usd: 0.025");
    const dead = spawnSync(process.execPath, ["-e", "process.pid"]).pid as number;
    const store = Store.open(join(home, "hob.db"));
    const now = Date.now();
    const insert = store.db.prepare(
      "INSERT INTO budget_reservations (task_id, amount_usd, created_at, expires_at, pid) VALUES (NULL, ?, ?, ?, ?)",
    );
    insert.run(1, now, now + 3_600_000, dead); // a process that is gone
    insert.run(1, now - 7_200_000, now - 1, process.pid); // a live process, but expired
    store.close();
    const stats = (await runCli(["stats", "--json"], { env })).json() as {
      budgets: { daily: { reserved_usd: number } };
    };
    expect(stats.budgets.daily.reserved_usd).toBe(2); // shown until a reservation sweeps them
    const run = await runCli(["run", "--json", "go"], { env });
    expect(run.code).toBe(0);
    const after = Store.open(join(home, "hob.db"));
    expect(after.budgets.reserved()).toBe(0);
    after.close();
  });

  it("routing, self-check calls count: a priced classification and a cloud self-check are spend, and are checked", async () => {
    // The local classifier's model carries a price (a paid gateway on loopback), and the
    // self-check's tier (local-fast) is mapped to a cloud model.
    router(
      home,
      `  - model_name: local-fast\n    litellm_params: { model: ollama_chat/qwen3:1.7b, ${PRICED} }\n` +
        LOCAL +
        `  - model_name: checker\n    litellm_params: { model: anthropic/claude-haiku-4-5, ${PRICED} }\n`,
    );
    writeHobConfig(
      home,
      "routing: { default_tier: auto }\nmax_output_tokens: 1000\nmemory: { enabled: false }\nbudgets: { timezone: UTC, daily_usd: 1 }\n",
    );
    ollama.classify = () => ({ agent: "general", complexity: "simple", confidence: 0.95 });
    const classified = await runCli(["run", "--json", "zorblax quintessor vwerp"], { env });
    expect(classified.code).toBe(0);
    const id = (classified.json() as { id: string }).id;
    const show = (await runCli(["show", "--json", id], { env })).json() as {
      model_calls: Array<{ purpose: string; cost_usd: number }>;
    };
    const classify = show.model_calls.filter((c) => c.purpose === "classify");
    expect(classify.length).toBeGreaterThan(0);
    expect(classify.reduce((sum, c) => sum + c.cost_usd, 0)).toBeGreaterThan(0);
    const stats = (await runCli(["stats", "--json"], { env })).json() as {
      totals: { cost_usd: number };
      budgets: { daily: { spent_usd: number } };
    };
    expect(stats.budgets.daily.spent_usd).toBeCloseTo(stats.totals.cost_usd, 9);
    expect(stats.budgets.daily.spent_usd).toBeGreaterThan(0);

    // The self-check on a cloud model: counted when it runs, refused (and the task still answered) when it cannot be afforded.
    writeHobConfig(
      home,
      "routing: { default_tier: local, models: { local-fast: checker } }\nescalation: { enabled: true, self_check: true }\n" +
        "max_output_tokens: 1000\nmemory: { enabled: false }\nbudgets: { timezone: UTC, daily_usd: 1 }\n",
    );
    anthropic.enqueue({ kind: "text", text: '{"score": 0.9}', usage: { output_tokens: 100 } });
    const checked = await runCli(["run", "--json", "name a colour"], { env });
    expect(checked.code).toBe(0);
    const checkedShow = (await runCli(["show", "--json", (checked.json() as { id: string }).id], { env })).json() as {
      model_calls: Array<{ purpose: string; cost_usd: number }>;
    };
    expect(checkedShow.model_calls.find((c) => c.purpose === "self-check")?.cost_usd).toBeCloseTo(0.001, 9);
    const before = recordedSpend(home);
    const afterStats = (await runCli(["stats", "--json"], { env })).json() as {
      budgets: { daily: { spent_usd: number } };
    };
    expect(afterStats.budgets.daily.spent_usd).toBeCloseTo(before.cost, 9);

    anthropic.reset();
    const refused = await runCli(["run", "--json", "name another colour"], {
      // The self-check's worst case is 50 output tokens: $0.0005; a tenth of that is left.
      env: { ...env, HOB_BUDGET_DAILY_USD: String(before.cost + 0.00005) },
    });
    expect(refused.code).toBe(0); // the local answer stands; the self-check was simply not made
    expect(anthropic.messageRequests).toHaveLength(0);
  });
});

describe("worst-case estimate", () => {
  it("bounds the output by max tokens and estimates the input high, tools and framing included", () => {
    const plain = worstCaseUsage({ messages: [{ role: "user", content: "hello there" }] }, 500);
    expect(plain.outputTokens).toBe(500);
    expect(plain.inputTokens).toBeGreaterThanOrEqual(3); // about 2 real tokens, plus framing
    const long = "The quick brown fox jumps over the lazy dog. ".repeat(200); // ~2,000 real tokens
    const withTools = worstCaseUsage(
      {
        system: "You are hob.",
        messages: [
          { role: "user", content: long },
          {
            role: "assistant",
            content: [{ type: "tool-call", toolCallId: "1", toolName: "read_file", input: { path: "a" } }],
          },
          { role: "tool", content: [{ type: "tool-result", toolCallId: "1", toolName: "read_file", output: long }] },
        ],
        tools: [{ name: "read_file", description: "Reads a file.", inputSchema: { type: "object" } }],
      },
      100,
    );
    expect(withTools.inputTokens).toBeGreaterThan(4000 + 600);
  });
});

describe("budget periods", () => {
  it("a day and a month start at local midnight in the zone, across daylight saving time", () => {
    // 2025-03-30 is the day Berlin moves to summer time (23 hours long).
    const at = Date.parse("2025-03-30T12:00:00Z");
    const berlin = budgetPeriods(at, "Europe/Berlin");
    expect(new Date(berlin.dayStart).toISOString()).toBe("2025-03-29T23:00:00.000Z");
    expect(new Date(berlin.dayEnd).toISOString()).toBe("2025-03-30T22:00:00.000Z");
    expect(new Date(berlin.monthStart).toISOString()).toBe("2025-02-28T23:00:00.000Z");
    expect(new Date(berlin.monthEnd).toISOString()).toBe("2025-03-31T22:00:00.000Z");
    // Just before midnight in New York it is already tomorrow in UTC.
    const ny = budgetPeriods(Date.parse("2025-12-31T23:30:00-05:00"), "America/New_York");
    expect(new Date(ny.dayStart).toISOString()).toBe("2025-12-31T05:00:00.000Z");
    expect(new Date(ny.monthEnd).toISOString()).toBe("2026-01-01T05:00:00.000Z");
    const utc = budgetPeriods(Date.parse("2024-02-29T00:00:00Z"), "UTC");
    expect(new Date(utc.dayStart).toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(new Date(utc.monthEnd).toISOString()).toBe("2024-03-01T00:00:00.000Z");
  });

  it("an unknown time zone in hob.yaml is a config error naming the key", async () => {
    const { home, cleanup } = tempHome();
    try {
      writeHobConfig(home, "budgets: { daily_usd: 1, timezone: Mars/Olympus }\n");
      const run = await runCli(["stats", "--json"], { env: testEnv(home) });
      expect(run.code).toBe(2);
      expect(run.json()).toMatchObject({
        error: { code: "E_CONFIG", message: expect.stringContaining("budgets.timezone") },
      });
    } finally {
      cleanup();
    }
  });
});
