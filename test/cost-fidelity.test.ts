import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeAnthropic } from "./fakes/anthropic.js";
import { FakeOllama } from "./fakes/ollama.js";
import { runCli, tempHome, testEnv, writeHobConfig, writeRouterConfig } from "./helpers.js";

describe("costs in human output and hob stats (in-process, fake servers)", () => {
  let ollama: FakeOllama;
  let anthropic: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [ollama, anthropic] = await Promise.all([FakeOllama.start(), FakeAnthropic.start()]);
  });
  afterAll(async () => {
    await Promise.all([ollama.close(), anthropic.close()]);
  });
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    for (const fake of [ollama, anthropic]) fake.reset();
    ollama.models = new Set(["qwen3:1.7b"]);
    env = testEnv(home, anthropic.url, { OLLAMA_HOST: ollama.url });
  });
  afterEach(() => cleanup());

  it("a remote model with no price shows 'cost unknown' in run, show, history and stats, never $0", async () => {
    writeRouterConfig(
      home,
      `model_list:
  - model_name: mystery
    litellm_params:
      model: anthropic/mystery-model-x
      api_key: os.environ/ANTHROPIC_API_KEY
  - model_name: local
    litellm_params:
      model: ollama_chat/qwen3:1.7b
`,
    );
    const run = await runCli(["run", "--tier", "mystery", "hello"], { env });
    expect(run.code).toBe(0);
    const summary = run.stderr.split("\n").find((line) => line.startsWith("✓")) ?? "";
    expect(summary).toContain("mystery");
    expect(summary).toContain("· cost unknown ·");
    expect(summary).not.toContain("$0");
    const id = summary.split(" · ").at(-1) as string;

    const show = await runCli(["show", id], { env });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Usage .* · cost unknown/);
    expect(show.stdout).toMatch(/anthropic\/mystery-model-x\s+yes\s+\S+\s+\S+\s+cost unknown/);
    expect(show.stdout).not.toContain("$0");

    const history = await runCli(["history"], { env });
    expect(history.stdout).toContain("cost unknown");
    expect(history.stdout).not.toContain("$0");

    // A priced call next to it: the total is the priced part, and the unknown calls are counted apart.
    await runCli(["run", "--tier", "local", "hello again"], { env });
    const stats = await runCli(["stats", "--json"], { env });
    const json = stats.json() as {
      totals: { calls: number; cost_unknown_calls: number };
      tasks: { total: number; cost_unknown: number };
      by_model: Array<{ model: string; cost_unknown_calls: number }>;
    };
    expect(json.tasks).toMatchObject({ total: 2, cost_unknown: 1 });
    expect(json.totals).toMatchObject({ cost_unknown_calls: 1 });
    expect(json.by_model.find((m) => m.model === "mystery-model-x")?.cost_unknown_calls).toBe(1);
    const human = await runCli(["stats"], { env });
    expect(human.stdout).toMatch(/^Cost {4}\$0 \+ 1 call with unknown cost \(no price; 1 task\)$/m);
    expect(human.stdout).toMatch(/anthropic\/mystery-model-x\s.*cost unknown$/m);
  });

  it("hob stats prices the all-cloud counterfactual with the model the smart tier maps to", async () => {
    writeRouterConfig(
      home,
      `model_list:
  - model_name: local
    litellm_params:
      model: ollama_chat/qwen3:1.7b
  - model_name: big
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_key: os.environ/ANTHROPIC_API_KEY
  - model_name: cheap
    litellm_params:
      model: anthropic/claude-haiku-4-5
      api_key: os.environ/ANTHROPIC_API_KEY
`,
    );
    // Not the priciest model (what `nearest` would take) and not a model_name called "smart".
    writeHobConfig(home, "routing:\n  models:\n    smart: cheap\n");
    ollama.enqueue({ kind: "text", text: "Hi.", promptTokens: 1_000_000, evalTokens: 1_000_000 });
    expect((await runCli(["run", "--tier", "local", "hello"], { env })).code).toBe(0);
    const stats = (await runCli(["stats", "--json"], { env })).json() as { routing: Record<string, unknown> };
    expect(stats.routing.counterfactual_model).toBe("claude-haiku-4-5");
    // 1M input at $1 + 1M output at $5.
    expect(stats.routing.saved_usd).toBeCloseTo(6, 6);
    const human = await runCli(["stats"], { env });
    expect(human.stdout).toContain(
      "Saved   $6.00 against an all-cloud run (local and cached tokens at claude-haiku-4-5 prices)",
    );
  });
});
