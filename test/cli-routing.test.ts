import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeAnthropic } from "./fakes/anthropic.js";
import { FakeOllama } from "./fakes/ollama.js";
import { CLOSED_PORT_URL, REPO_ROOT, runCli, tempHome, testEnv, writeRouterConfig } from "./helpers.js";

describe("hob routing commands (in-process, fake Ollama + fake Anthropic)", () => {
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
    env = testEnv(home, anthropic.url, { OLLAMA_HOST: ollama.url });
    ollama.reset();
    anthropic.reset();
    ollama.models = new Set(["qwen3:1.7b", "qwen3:8b"]);
  });
  afterEach(() => cleanup());

  it("hob route explains the decision without running the task", async () => {
    const json = await runCli(["route", "--json", "write a python function that reverses a string"], { env });
    expect(json.code).toBe(0);
    const decision = json.json() as Record<string, unknown>;
    // model and tier_source were added deliberately: which model_name the tier uses, and why.
    expect(Object.keys(decision).sort()).toEqual([
      "agent",
      "classifier",
      "complexity",
      "confidence",
      "model",
      "reason",
      "tier",
      "tier_source",
    ]);
    expect(decision).toMatchObject({
      agent: "code",
      tier: "local",
      model: "local",
      tier_source: "same-name",
      classifier: "embedded",
    });
    expect(decision.confidence).toBeGreaterThan(0.7);
    expect(ollama.chatRequests).toHaveLength(0);
    expect(anthropic.messageRequests).toHaveLength(0);
    const human = await runCli(["route", "list the markdown files"], { env });
    expect(human.stdout).toMatch(/^fileops agent · local-fast tier · simple · confidence/);
  });

  it("hob run answers locally, then from the cache, and --no-cache bypasses it", async () => {
    const first = (await runCli(["run", "--json", "what is the capital of Australia?"], { env })).json();
    expect(first).toMatchObject({ tier: "local-fast", model: "qwen3:1.7b", cost_usd: 0, cached: false });
    const second = (await runCli(["run", "--json", "what is the capital of Australia?"], { env })).json();
    expect(second).toMatchObject({ cached: true, output: (first as { output: string }).output });
    expect(ollama.chatRequests).toHaveLength(1);
    const human = await runCli(["run", "what is the capital of Australia?"], { env });
    expect(human.stderr).toContain("(cached)");
    await runCli(["run", "--no-cache", "what is the capital of Australia?"], { env });
    expect(ollama.chatRequests).toHaveLength(2);

    const stats = (await runCli(["cache", "stats", "--json"], { env })).json();
    expect(stats).toMatchObject({ entries: 1, hits: 2, enabled: true });
    expect((await runCli(["cache", "stats"], { env })).stdout).toMatch(/1 entry .* 2 hits/);
    expect((await runCli(["cache", "clear", "--json"], { env })).json()).toEqual({ removed: 1 });
    expect((await runCli(["cache", "clear", "--expired"], { env })).stdout).toBe("Removed 0 cached responses.\n");
  });

  it("adds escalated_from to --json and tells a terminal user what happened", async () => {
    ollama.enqueue({ kind: "text", text: "I'm not sure." }, { kind: "text", text: "Canberra." });
    const json = (await runCli(["run", "--json", "what is the capital of Australia?"], { env })).json();
    expect(json).toMatchObject({ tier: "local", escalated_from: "local-fast", output: "Canberra." });
    ollama.enqueue({ kind: "text", text: "I'm not sure." }, { kind: "text", text: "Canberra." });
    const human = await runCli(["run", "--no-cache", "what is the capital of Australia?"], { env });
    expect(human.stderr).toContain(
      "↻ local-fast's answer looked unreliable (the model declined or did not know); asking local…",
    );
    expect(human.stderr).toContain("(escalated from local-fast)");
  });

  it("records a cached answer under the tier that answered it, not the one asked for (after a fallback)", async () => {
    ollama.models = new Set(["qwen3:8b"]); // local-fast's model is not pulled: it falls back to fast
    const first = (await runCli(["run", "--json", "what is the capital of Australia?"], { env })).json();
    expect(first).toMatchObject({ cached: false, model: "claude-haiku-4-5" });
    const second = (await runCli(["run", "--json", "what is the capital of Australia?"], { env })).json();
    expect(second).toMatchObject({ cached: true, model: "claude-haiku-4-5" });
    const calls = new (await import("../src/store/index.js")).Database(join(home, "hob.db"), { readonly: true })
      .prepare("SELECT tier, cached, local FROM model_calls WHERE ok = 1 AND purpose = 'answer' ORDER BY id")
      .all();
    expect(calls).toEqual([
      { tier: "fast", cached: 0, local: 0 },
      { tier: "fast", cached: 1, local: 0 },
    ]);
    const stats = (await runCli(["stats", "--json"], { env })).json() as {
      by_tier: Array<{ tier: string }>;
      routing: { local_call_share: number };
    };
    expect(stats.routing.local_call_share).toBe(0);
    expect(stats.by_tier.map((t) => t.tier)).not.toContain("local-fast");
  });

  it("falls back when Ollama is down and says so once per process", async () => {
    const down = { ...env, OLLAMA_HOST: CLOSED_PORT_URL };
    const run = await runCli(["run", "what is the capital of Australia?"], { env: down });
    expect(run.code).toBe(0);
    expect(run.stderr.match(/note: Cannot reach Ollama/g)).toHaveLength(1);
    expect(run.stderr).toContain("Using fast instead.");
    expect(run.stdout).toContain("You said:");
  });

  it("names both ways to get going when nothing can answer", async () => {
    const nothing = { ...env, OLLAMA_HOST: CLOSED_PORT_URL, ANTHROPIC_API_KEY: "" };
    const run = await runCli(["run", "--json", "what is the capital of Australia?"], { env: nothing });
    expect(run.code).toBe(1);
    const { error } = run.json() as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe("E_NO_API_KEY");
    expect(error.hint).toContain("ollama pull qwen3:1.7b");
    expect(error.hint).toContain("ANTHROPIC_API_KEY");
    const doctor = await runCli(["doctor", "--json"], { env: nothing });
    expect(doctor.code).toBe(1);
    expect((doctor.json() as { checks: Array<{ name: string; status: string }> }).checks).toContainEqual(
      expect.objectContaining({ name: "models", status: "fail" }),
    );
  });

  it("hob stats shows local share, escalations, cache hits and the money saved", async () => {
    ollama.enqueue({ kind: "text", text: "Canberra.", promptTokens: 1_000_000, evalTokens: 1_000_000 });
    await runCli(["run", "what is the capital of Australia?"], { env });
    await runCli(["run", "what is the capital of Australia?"], { env }); // cache hit
    await runCli(["run", "--tier", "smart", "design a database schema for a library"], { env });
    const stats = (await runCli(["stats", "--json"], { env })).json() as { routing: Record<string, unknown> };
    expect(stats.routing).toMatchObject({
      cache_hits: 1,
      escalations: 0,
      counterfactual_model: "claude-sonnet-4-5",
      local: { calls: 1, input_tokens: 1_000_000, output_tokens: 1_000_000 },
      cached: { calls: 1, input_tokens: 1_000_000, output_tokens: 1_000_000 },
    });
    // 2 × (1M input at $3 + 1M output at $15) at the smart tier's prices.
    expect(stats.routing.saved_usd).toBeCloseTo(36, 6);
    expect(stats.routing.local_call_share).toBeCloseTo(1 / 3, 3);
    const human = await runCli(["stats"], { env });
    expect(human.stdout).toMatch(/Local\s+33% of answers/);
    expect(human.stdout).toContain("Saved   $36.00 against an all-cloud run");
  });

  it("doctor checks that Ollama runs and the configured models are pulled", async () => {
    ollama.models = new Set(["qwen3:1.7b"]);
    const run = await runCli(["doctor"], { env });
    expect(run.stdout).toMatch(/✓ ollama\s+Ollama answers/);
    expect(run.stdout).toMatch(/✓ local-fast\s+qwen3:1\.7b is pulled/);
    expect(run.stdout).toMatch(/! local\s+qwen3:8b is not pulled/);
    expect(run.stdout).toContain("→ ollama pull qwen3:8b");
    expect(run.code).toBe(0);
  });

  it("warns once per version of a LiteLLM config with keys hob does not implement", async () => {
    writeRouterConfig(home, readFileSync(join(REPO_ROOT, "test/fixtures/litellm-docs.yaml"), "utf8"));
    const docsEnv = { ...env, OPENAI_COMPATIBLE_BASE: "http://127.0.0.1:47/v1", OPENAI_API_KEY: "x" };
    const first = await runCli(["history"], { env: docsEnv });
    expect(first.stderr).toContain("warning:");
    expect(first.stderr).toContain("`general_settings` is not implemented by hob; ignored.");
    const again = await runCli(["history"], { env: docsEnv });
    expect(again.stderr).not.toContain("warning:");
    const doctor = await runCli(["doctor"], { env: docsEnv });
    expect(doctor.stdout).toMatch(/! router\s+.*litellm\.yaml \(user\): 4 deployments/);
    expect(doctor.stdout).toContain("general_settings");
    const show = (await runCli(["config", "show", "--json"], { env: docsEnv })).json() as {
      router: { warnings: string[] };
    };
    expect(show.router.warnings.length).toBeGreaterThan(5);
  });

  it("rejects a malformed litellm.yaml naming file, line and key", async () => {
    writeRouterConfig(
      home,
      "model_list:\n  - model_name: fast\n    litellm_params:\n      model: anthropic/x\n      rpm: lots\n",
    );
    const run = await runCli(["run", "--json", "x"], { env });
    expect(run.code).toBe(2);
    expect((run.json() as { error: { message: string } }).error.message).toMatch(
      /config\/litellm\.yaml:5: `model_list\[0\]\.litellm_params\.rpm`/,
    );
  });
});
