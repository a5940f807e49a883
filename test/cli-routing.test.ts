import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeAnthropic } from "./fakes/anthropic.js";
import { FakeOllama } from "./fakes/ollama.js";
import { CLOSED_PORT_URL, REPO_ROOT, runCli, tempHome, testEnv, writeHobConfig, writeRouterConfig } from "./helpers.js";

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
      "evidence",
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
    expect(decision.evidence).toEqual({ words: 6, known: 6, share: 1 });
    const human = await runCli(["route", "list the markdown files"], { env });
    expect(human.stdout).toMatch(/^fileops agent · local-fast tier · simple · confidence/);
  });

  it("hob route --explain names the features that pushed each half of the verdict", async () => {
    const human = await runCli(["route", "--explain", "add tests to my parser"], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^code agent · smart tier · complex/);
    expect(human.stdout).toContain("knew 5 of 5 words (100%)");
    expect(human.stdout).toMatch(/agent pushed by: +programming words \+\d/);
    expect(human.stdout).toMatch(/complexity pushed by: .*the user's own code/);
    const json = (await runCli(["route", "--explain", "--json", "add tests to my parser"], { env })).json() as {
      explain: { agent: Array<{ feature: string; weight: number }>; complexity: unknown[] };
    };
    expect(json.explain.agent[0]).toEqual({ feature: "lex:code", weight: expect.any(Number) });
    expect(json.explain.complexity.length).toBeGreaterThan(0);
    // A task in a language the data hardly covers is not trusted to the embedded verdict.
    const turkish = (await runCli(["route", "--json", "Bu dosyaları tarihe göre sırala lütfen"], { env })).json() as {
      classifier: string;
      evidence: { language: string };
    };
    expect(turkish.evidence.language).toBe("tur");
    expect(turkish.classifier).toBe("local-llm");
  });

  describe("a user's own agent with description and examples", () => {
    const INVOICE_AGENT = [
      "name: invoice-helper",
      "description: Answers questions about the invoices in the workspace.",
      "base: fileops",
      "tier: local",
      "tools: [read_file, list_directory, search_files]",
      "examples:",
      '  - "what is the total of the invoice from ACME?"',
      '  - "which invoices are still unpaid?"',
      '  - "list invoices due this month with their amounts"',
      "system_prompt: You answer questions about invoices.",
      "",
    ].join("\n");
    beforeEach(() => {
      mkdirSync(join(home, "agents"));
      writeFileSync(join(home, "agents", "invoice-helper.yaml"), INVOICE_AGENT);
    });

    it("hob route --json picks it for a task like its examples, and not for an unrelated one", async () => {
      const matched = (await runCli(["route", "--json", "how much is the ACME invoice in total?"], { env })).json();
      expect(matched).toMatchObject({ agent: "invoice-helper", tier: "local", classifier: "agent-match" });
      expect((matched as { reason: string }).reason).toMatch(
        /^agent "invoice-helper" matched its example "what is the total of the invoice from ACME\?" \(0\.\d\d\)/,
      );
      const unrelated = (
        await runCli(["route", "--json", "write a python function that reverses a string"], { env })
      ).json() as { agent: string; classifier: string };
      expect(unrelated).toMatchObject({ agent: "code", classifier: "embedded" });
      expect((await runCli(["route", "--json", "what is the capital of Australia?"], { env })).json()).toMatchObject({
        agent: "general",
      });
      expect(ollama.chatRequests).toHaveLength(0); // no model was asked
      // The threshold is a setting: at 1 only an exact example would do.
      writeHobConfig(home, "routing:\n  agent_match_threshold: 1\n");
      expect(
        (await runCli(["route", "--json", "how much is the ACME invoice in total?"], { env })).json(),
      ).not.toMatchObject({ agent: "invoice-helper" });
    });

    it("hob run gives a matching task to it, on its YAML tier", async () => {
      ollama.enqueue({ kind: "text", text: "The ACME invoice totals 120 EUR." });
      const run = (await runCli(["run", "--json", "which of my invoices are still unpaid?"], { env })).json();
      expect(run).toMatchObject({ status: "succeeded", agent: "invoice-helper", tier: "local", model: "qwen3:8b" });
      expect(ollama.chatRequests[0]?.body.messages[0].content).toContain("You answer questions about invoices.");
    });

    it("the local model can pick it: the schema the router sent lists it, with its description", async () => {
      // Nothing matches by similarity and the embedded classifier is never sure: step 2 decides.
      writeHobConfig(home, "routing:\n  classifier_threshold: 1\n  agent_match_threshold: 1\n");
      ollama.classify = () => ({ agent: "invoice-helper", complexity: "complex", confidence: 0.9 });
      const decision = (await runCli(["route", "--json", "did ACME bill me twice?"], { env })).json();
      expect(decision).toMatchObject({ agent: "invoice-helper", tier: "local", classifier: "local-llm" });
      const body = ollama.chatRequests[0]?.body;
      expect(body.format.properties.agent.enum).toEqual(["code", "research", "fileops", "general", "invoice-helper"]);
      expect(body.messages[0].content).toContain(
        '"invoice-helper" (Answers questions about the invoices in the workspace.; e.g. "what is the total',
      );
    });

    it("an agent without examples is never routed to, and empty examples are refused", async () => {
      writeFileSync(join(home, "agents", "invoice-helper.yaml"), INVOICE_AGENT.replace(/examples:\n( {2}- .*\n)+/, ""));
      const decision = (
        await runCli(["route", "--json", "what is the total of the invoice from ACME?"], { env })
      ).json();
      expect(decision).not.toMatchObject({ agent: "invoice-helper" });
      writeFileSync(
        join(home, "agents", "invoice-helper.yaml"),
        INVOICE_AGENT.replace('"which invoices are still unpaid?"', '"  "'),
      );
      const bad = await runCli(["route", "--json", "anything"], { env });
      expect(bad.json()).toMatchObject({ error: { code: "E_CONFIG" } });
      expect((bad.json() as { error: { message: string } }).error.message).toMatch(
        /invoice-helper\.yaml:\d+: `examples\.1`: an example must not be empty/,
      );
      writeFileSync(join(home, "agents", "invoice-helper.yaml"), `${INVOICE_AGENT}example: typo\n`);
      const typo = (await runCli(["route", "--json", "anything"], { env })).json() as { error: { hint: string } };
      expect(typo.error.hint).toContain("examples");
    });
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
