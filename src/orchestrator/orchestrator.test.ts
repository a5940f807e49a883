import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeAnthropic } from "../../test/fakes/anthropic.js";
import { FakeOllama } from "../../test/fakes/ollama.js";
import { CLOSED_PORT_URL, tempHome, writeHobConfig } from "../../test/helpers.js";
import { loadConfig } from "../config/index.js";
import type { HobEvent } from "../events/index.js";
import { Store } from "../store/index.js";
import { createOrchestrator } from "./index.js";

describe("Orchestrator (routing, escalation, fallback, cache) over fake Ollama and Anthropic", () => {
  let ollama: FakeOllama;
  let anthropic: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let store: Store;
  let events: HobEvent[];

  beforeAll(async () => {
    [ollama, anthropic] = await Promise.all([FakeOllama.start(), FakeAnthropic.start()]);
  });
  afterAll(async () => {
    await Promise.all([ollama.close(), anthropic.close()]);
  });
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    store = Store.open(`${home}/hob.db`);
    events = [];
    ollama.reset();
    anthropic.reset();
    ollama.models = new Set(["qwen3:1.7b", "qwen3:8b"]);
    ollama.classify = () => ({ agent: "general", complexity: "simple", confidence: 0.9 });
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  function orchestrator(env: NodeJS.ProcessEnv = {}, hobYaml?: string) {
    if (hobYaml) writeHobConfig(home, hobYaml);
    const config = loadConfig({
      HOB_HOME: home,
      OLLAMA_HOST: ollama.url,
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: "sk-ant-test-key-0123456789",
      ...env,
    });
    return createOrchestrator(config, store);
  }
  const run = (o: ReturnType<typeof orchestrator>, input: string, extra = {}) =>
    o.run({ input, onEvent: (e) => events.push(e), ...extra });

  it("sends a simple task to the local model at no cost, and records how it was routed", async () => {
    ollama.enqueue({ kind: "text", text: "Canberra.", promptTokens: 40, evalTokens: 3 });
    const result = await run(orchestrator(), "what is the capital of Australia?");
    expect(result).toMatchObject({
      status: "succeeded",
      agent: "general",
      tier: "local-fast",
      model: "qwen3:1.7b",
      output: "Canberra.",
      usage: { input_tokens: 40, output_tokens: 3 },
      cost_usd: 0,
      cached: false,
    });
    expect(result.escalated_from).toBeUndefined();
    expect(anthropic.messageRequests).toHaveLength(0);
    const task = store.tasks.get(result.id);
    expect(task).toMatchObject({
      classifier: "embedded",
      complexity: "simple",
      tier: "local-fast",
      model: "qwen3:1.7b",
    });
    expect(task.confidence).toBeGreaterThanOrEqual(0.7);
    expect(store.modelCalls.forTask(result.id)).toEqual([
      expect.objectContaining({ provider: "ollama", local: true, cached: false, purpose: "answer", costUsd: 0 }),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      "task-created",
      "task-started",
      "context-packed",
      ...Array(3).fill("text-delta"),
      "model-call",
      "task-finished",
    ]);
  });

  it("sends a complex coding task to the smart tier in the cloud", async () => {
    const result = await run(
      orchestrator(),
      "refactor this 300-line javascript module into smaller functions with unit tests and explain each change",
    );
    expect(result).toMatchObject({ agent: "code", tier: "smart", model: "claude-sonnet-4-5", status: "succeeded" });
    expect(result.cost_usd).toBeGreaterThan(0);
    expect(ollama.chatRequests).toHaveLength(0);
  });

  it("escalates an unreliable local answer to the next tier and records why", async () => {
    ollama.enqueue({ kind: "text", text: "I don't know." }, { kind: "text", text: "Canberra is the capital." });
    const result = await run(orchestrator(), "what is the capital of Australia?");
    expect(result).toMatchObject({
      status: "succeeded",
      tier: "local",
      escalated_from: "local-fast",
      output: "Canberra is the capital.",
    });
    const escalated = events.find((e) => e.type === "task-escalated");
    expect(escalated).toMatchObject({ from: "local-fast", to: "local", reason: "the model declined or did not know" });
    expect(store.tasks.get(result.id)).toMatchObject({
      escalatedFrom: "local-fast",
      escalationReason: "the model declined or did not know",
      tier: "local",
      output: "Canberra is the capital.",
    });
  });

  it("escalates on an answer cut at the token limit, an empty answer, or missing JSON, up to the cloud", async () => {
    ollama.enqueue({ kind: "text", text: "The list is: 1, 2, 3, 4", doneReason: "length" }, { kind: "text", text: "" });
    const cut = await run(orchestrator(), "list the first ten primes");
    expect(cut).toMatchObject({
      tier: "fast",
      escalated_from: "local-fast",
      output: "You said: list the first ten primes",
    });
    expect(events.filter((e) => e.type === "task-escalated").map((e) => (e as { reason: string }).reason)).toEqual([
      "the answer was cut at the token limit",
      "the answer was empty",
    ]);

    ollama.enqueue(
      { kind: "text", text: "name: Ada, age: 36" },
      { kind: "text", text: '```json\n{"name":"Ada","age":36}\n```' },
    );
    // The general agent, as in the first half: routing sends JSON requests to the code agent now.
    const json = await run(orchestrator(), "give me a json object with name Ada and age 36", {
      agent: "general",
      tier: "local-fast",
    });
    expect(json).toMatchObject({ tier: "local", escalated_from: "local-fast" });
  });

  it("escalates when the self-check scores the answer low", async () => {
    ollama.classify = () => ({ score: 0.2 });
    ollama.enqueue({ kind: "text", text: "Sydney." });
    const o = orchestrator({}, "escalation:\n  self_check: true\n  self_check_threshold: 0.5\n");
    const result = await run(o, "what is the capital of Australia?");
    expect(result.escalated_from).toBe("local-fast");
    const calls = store.modelCalls.forTask(result.id);
    expect(calls.map((c) => c.purpose)).toContain("self-check");
  });

  it("falls back to the cloud when Ollama is down, says so once, and records it", async () => {
    const result = await run(orchestrator({ OLLAMA_HOST: CLOSED_PORT_URL }), "what is the capital of Australia?");
    expect(result).toMatchObject({ status: "succeeded", tier: "fast", model: "claude-haiku-4-5" });
    const fallback = events.filter((e) => e.type === "model-fallback");
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toMatchObject({ from: "local-fast", to: "fast", error: { code: "E_NETWORK" } });
    expect(store.tasks.get(result.id).fallback).toBe("local-fast → fast (E_NETWORK)");
  });

  it("names both ways to get going when there is no local model and no key", async () => {
    const result = await run(
      orchestrator({ OLLAMA_HOST: CLOSED_PORT_URL, ANTHROPIC_API_KEY: "" }),
      "what is the capital of Australia?",
    );
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("E_NO_API_KEY");
    expect(result.error?.message).toMatch(/no local model answers at .*, and no Anthropic API key is set/);
    expect(result.error?.hint).toMatch(/ollama pull qwen3:1\.7b.*ANTHROPIC_API_KEY/);
  });

  it("answers a repeated deterministic task from the cache", async () => {
    const o = orchestrator();
    const first = await run(o, "what is the capital of Australia?");
    const second = await run(o, "what is the capital of Australia?");
    expect(second).toMatchObject({ cached: true, cost_usd: 0, output: first.output });
    expect(ollama.chatRequests).toHaveLength(1);
    const third = await run(o, "what is the capital of Australia?", { cache: false });
    expect(third.cached).toBe(false);
    expect(ollama.chatRequests).toHaveLength(2);
  });

  describe("classifier cascade", () => {
    const unsure = "routing:\n  classifier_threshold: 0.999\n";

    it("asks the local model with a JSON schema when the embedded classifier is unsure", async () => {
      ollama.classify = () => ({ agent: "research", complexity: "complex", confidence: 0.95 });
      const decision = await orchestrator({}, unsure).route("what is the capital of Australia?");
      expect(decision).toMatchObject({ classifier: "local-llm", agent: "research", tier: "smart", confidence: 0.95 });
      const body = ollama.chatRequests[0]?.body;
      expect(body.format.required).toEqual(["agent", "complexity", "confidence"]);
      expect(body.options.temperature).toBe(0);
    });

    it("hands a confident verdict to the local model when the task is in a language routing has little data for", async () => {
      ollama.classify = () => ({ agent: "fileops", complexity: "simple", confidence: 0.9 });
      // Turkish: "sort these files by date, please". The embedded classifier knows none of its words.
      const decision = await orchestrator({}, "routing:\n  classifier_threshold: 0.01\n").route(
        "Bu dosyaları tarihe göre sırala lütfen",
      );
      expect(decision).toMatchObject({ classifier: "local-llm", agent: "fileops", tier: "local-fast" });
      expect(decision.reason).toContain("written in a language routing has little data for (tur)");
      expect(decision.evidence).toMatchObject({ known: 0, language: "tur" });
      // The local model is given the written policy and examples, not just the four names.
      const system = ollama.chatRequests[0]?.body.messages[0].content as string;
      expect(system).toContain("Judge the instruction, not the length of pasted material");
      expect(system).toContain('"refactor the auth module" -> code, complex');
    });

    it("trusts a confident verdict on known words without asking anyone, and does not load language detection", async () => {
      const decision = await orchestrator().route("write a python function that reverses a string");
      expect(decision).toMatchObject({ classifier: "embedded", agent: "code" });
      expect(decision.evidence).toMatchObject({ share: 1 });
      expect(decision.evidence?.language).toBeUndefined();
      expect(ollama.chatRequests).toHaveLength(0);
    });

    it("sends the task to the cloud when the local model is unsure too", async () => {
      ollama.classify = () => ({ agent: "general", complexity: "simple", confidence: 0.3 });
      const decision = await orchestrator({}, unsure).route("what is the capital of Australia?");
      expect(decision).toMatchObject({ classifier: "cloud-fallback", tier: "fast" });
      expect(decision.reason).toContain("local model not sure (30%)");
    });

    it("goes to the cloud without a local model, and never falls back to the cloud to classify", async () => {
      const decision = await orchestrator({ OLLAMA_HOST: CLOSED_PORT_URL }, unsure).route(
        "what is the capital of Australia?",
      );
      expect(decision.classifier).toBe("cloud-fallback");
      expect(decision.reason).toContain("local model unavailable (E_NETWORK)");
      expect(anthropic.messageRequests).toHaveLength(0);
    });

    it("treats invalid classifier JSON as no verdict, and records the classify call on the task", async () => {
      ollama.classify = () => ({ agent: "wizard" });
      const result = await run(orchestrator({}, unsure), "what is the capital of Australia?");
      expect(store.tasks.get(result.id)).toMatchObject({ classifier: "cloud-fallback" });
      expect(store.tasks.get(result.id).tierReason).toContain("no valid verdict");
      expect(store.modelCalls.forTask(result.id).map((c) => c.purpose)).toEqual(["classify", "answer"]);
    });

    it("obeys a forced or pinned tier", async () => {
      expect(await orchestrator().route("anything at all", { tier: "smart" })).toMatchObject({
        classifier: "forced",
        tier: "smart",
      });
      expect(await orchestrator({}, "routing:\n  default_tier: local\n").route("hello")).toMatchObject({
        classifier: "pinned",
        tier: "local",
      });
    });
  });

  it("keeps the partial answer of a cancelled task", async () => {
    ollama.enqueue({ kind: "text", text: "one two three four five six", chunks: 6, chunkDelayMs: 100 });
    const controller = new AbortController();
    const result = await orchestrator().run({
      input: "count to six",
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "text-delta") controller.abort();
      },
    });
    expect(result).toMatchObject({ status: "cancelled", error: { code: "E_CANCELLED" } });
    expect(store.tasks.get(result.id).output?.length).toBeGreaterThan(0);
  });

  it("sends earlier turns of a conversation", async () => {
    const session = store.createSession();
    await orchestrator().run({
      input: "and in French?",
      tier: "local-fast",
      sessionId: session,
      history: [
        { role: "user", content: "say hello" },
        { role: "assistant", content: "hello" },
      ],
    });
    expect(ollama.chatRequests.at(-1)?.body.messages).toHaveLength(4); // system + 3 turns
    expect(store.tasks.list({ limit: 1 })[0]?.sessionId).toBe(session);
  });

  it("rejects an empty task or an unknown tier before recording anything", async () => {
    await expect(orchestrator().run({ input: "   " })).rejects.toMatchObject({ code: "E_USAGE" });
    await expect(orchestrator().run({ input: "x", tier: "turbo" as "fast" })).rejects.toMatchObject({
      code: "E_USAGE",
    });
    expect(store.tasks.list({ limit: 5 })).toHaveLength(0);
  });
});
