import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeAnthropic } from "../../test/fakes/anthropic.js";
import { FakeOllama } from "../../test/fakes/ollama.js";
import { FakeOpenAI } from "../../test/fakes/openai.js";
import { CLOSED_PORT_URL, drain, failure, tempHome, writeRouterConfig } from "../../test/helpers.js";
import { loadConfig } from "../config/index.js";
import { storeCache } from "../orchestrator/index.js";
import { Store } from "../store/index.js";
import { type FallbackInfo, PriceTable, type RoutedAttempt, Router, type RouterDeps } from "./index.js";

const KEY = "sk-ant-test-key-0123456789";

describe("Router (LiteLLM semantics) against fake Ollama, Anthropic and OpenAI-compatible servers", () => {
  let ollama: FakeOllama;
  let anthropic: FakeAnthropic;
  let openai: FakeOpenAI;
  let home: string;
  let cleanup: () => void;
  let clock: number;
  let sleeps: number[];
  let attempts: RoutedAttempt[];
  let fallbacks: FallbackInfo[];

  beforeAll(async () => {
    [ollama, anthropic, openai] = await Promise.all([
      FakeOllama.start(),
      FakeAnthropic.start(),
      FakeOpenAI.start("sk-compat"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ollama.close(), anthropic.close(), openai.close()]);
  });
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    clock = 1_000_000;
    sleeps = [];
    attempts = [];
    fallbacks = [];
    for (const fake of [ollama, anthropic, openai]) fake.reset();
    ollama.models = new Set(["qwen3:1.7b", "qwen3:8b"]);
  });
  afterEach(() => cleanup());

  function router(yaml: string, extra: Partial<RouterDeps> = {}, env: NodeJS.ProcessEnv = {}): Router {
    writeRouterConfig(home, yaml);
    const config = loadConfig({
      HOB_HOME: home,
      OLLAMA_HOST: ollama.url,
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: KEY,
      COMPAT_KEY: "sk-compat",
      ...env,
    });
    return new Router({
      config,
      prices: new PriceTable(),
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      ...extra,
    });
  }
  const options = {
    onAttempt: (a: RoutedAttempt) => attempts.push(a),
    onFallback: (f: FallbackInfo) => fallbacks.push(f),
  };
  const request = { messages: [{ role: "user" as const, content: "hello" }], maxOutputTokens: 100, temperature: 0 };

  const TIERS = `
model_list:
  - model_name: local-fast
    litellm_params: { model: ollama_chat/qwen3:1.7b }
  - model_name: fast
    litellm_params: { model: anthropic/claude-haiku-4-5, api_key: os.environ/ANTHROPIC_API_KEY }
  - model_name: smart
    litellm_params: { model: anthropic/claude-sonnet-4-5 }
router_settings:
  num_retries: 2
  allowed_fails: 2
  cooldown_time: 30
  fallbacks:
    - local-fast: [fast]
    - fast: [smart]
  context_window_fallbacks:
    - fast: [smart]
`;

  it("streams from Ollama's native /api/chat with options, usage and no cost", async () => {
    ollama.enqueue({ kind: "text", text: "Hi from qwen", promptTokens: 12, evalTokens: 4 });
    const { text, parts } = await drain(
      router(TIERS).stream("local-fast", { ...request, system: "be brief" }, options),
    );
    expect(text).toBe("Hi from qwen");
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "stop",
      usage: { inputTokens: 12, outputTokens: 4, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    const body = ollama.chatRequests[0]?.body;
    expect(body).toMatchObject({
      model: "qwen3:1.7b",
      stream: true,
      think: false,
      options: { temperature: 0, num_predict: 100 },
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello" },
      ],
    });
    expect(attempts).toEqual([
      expect.objectContaining({
        provider: "ollama",
        model: "qwen3:1.7b",
        modelName: "local-fast",
        local: true,
        costUsd: 0,
        ok: true,
      }),
    ]);
  });

  it("passes tool calls and JSON schemas through Ollama", async () => {
    const r = router(TIERS);
    ollama.enqueue({ kind: "tool_call", name: "list_directory", arguments: { path: "." } });
    const { parts } = await drain(
      r.stream("local-fast", {
        ...request,
        tools: [{ name: "list_directory", description: "List", inputSchema: { type: "object" }, sideEffects: false }],
      }),
    );
    expect(parts.find((p) => p.type === "tool-call")).toMatchObject({
      toolName: "list_directory",
      input: { path: "." },
    });
    expect(parts.at(-1)).toMatchObject({ finishReason: "tool-calls" });
    expect(ollama.chatRequests[0]?.body.tools[0].function.name).toBe("list_directory");

    const schema = { type: "object", properties: { n: { type: "number" } } };
    ollama.classify = () => ({ n: 7 }); // the fake's answer to any `format` request
    const answer = await r.generate("local-fast", { ...request, responseSchema: schema });
    expect(JSON.parse(answer.text)).toEqual({ n: 7 });
    expect(ollama.chatRequests.at(-1)?.body.format).toEqual(schema);
  });

  it("falls back when Ollama does not have the model, and says how to get it", async () => {
    ollama.models = new Set();
    const { text } = await drain(router(TIERS).stream("local-fast", request, options));
    expect(text).toBe("You said: hello");
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatchObject({ from: "local-fast", to: "fast" });
    expect(fallbacks[0]?.error.code).toBe("E_MODEL_MISSING");
    expect(fallbacks[0]?.error.hint).toContain("ollama pull qwen3:1.7b");
    expect(attempts.map((a) => [a.modelName, a.ok, a.errorCode])).toEqual([
      ["local-fast", false, "E_MODEL_MISSING"],
      ["fast", true, undefined],
    ]);
  });

  it("cools a deployment down when Ollama is unreachable, skips it, and tries again after cooldown_time", async () => {
    const r = router(TIERS, {}, { OLLAMA_HOST: CLOSED_PORT_URL });
    await drain(r.stream("local-fast", request, options));
    expect(attempts.map((a) => [a.modelName, a.errorCode])).toEqual([
      ["local-fast", "E_NETWORK"],
      ["fast", undefined],
    ]);
    expect(sleeps).toEqual([]); // no retry waits on a deployment that is down and cooling

    attempts = [];
    clock += 29_000;
    await drain(r.stream("local-fast", request, options));
    expect(attempts.map((a) => a.modelName)).toEqual(["fast"]); // still cooling: not even tried

    attempts = [];
    clock += 2_000; // past cooldown_time (30 s)
    await drain(r.stream("local-fast", request, options));
    expect(attempts.map((a) => [a.modelName, a.errorCode])).toEqual([
      ["local-fast", "E_NETWORK"],
      ["fast", undefined],
    ]);
  });

  it("retries a group with backoff and honours retry-after", async () => {
    const r = router(TIERS);
    anthropic.enqueue({ kind: "error", status: 500 }, { kind: "error", status: 429, headers: { "retry-after": "3" } });
    // 429 cools the only deployment of `fast` at once, so its fallback `smart` answers.
    const { text } = await drain(r.stream("fast", request, options));
    expect(text).toBe("You said: hello");
    expect(sleeps).toEqual([500]);
    expect(attempts.map((a) => [a.modelName, a.errorCode ?? "ok"])).toEqual([
      ["fast", "E_PROVIDER"],
      ["fast", "E_RATE_LIMIT"],
      ["smart", "ok"],
    ]);
  });

  it("retries within a group on the deployment its strategy picks, honouring retry-after", async () => {
    const yaml = `
model_list:
  - model_name: fast
    litellm_params: { model: anthropic/claude-haiku-4-5 }
  - model_name: fast
    litellm_params: { model: openai/compat-1, api_base: ${openai.url}/v1, api_key: os.environ/COMPAT_KEY }
router_settings:
  routing_strategy: cost-based-routing
  num_retries: 1
`;
    // cost-based: the compat deployment has no price (0) and Anthropic's Haiku has one, so compat goes first.
    openai.enqueue({ kind: "error", status: 503, message: "busy", headers: { "retry-after": "2" } });
    const { text } = await drain(router(yaml).stream("fast", request, options));
    expect(text).toBe("Compatible answer to: hello");
    expect(sleeps).toEqual([2000]);
    expect(attempts.map((a) => [a.provider, a.ok])).toEqual([
      ["openai", false],
      ["openai", true],
    ]);
    expect(anthropic.messageRequests).toHaveLength(0);
  });

  it("cools down after allowed_fails failures in a minute", async () => {
    const yaml = `${TIERS.replace("num_retries: 2", "num_retries: 0")}`;
    const r = router(yaml);
    anthropic.enqueue({ kind: "error", status: 500 }); // fast fails once -> smart answers
    await drain(r.stream("fast", request, options));
    anthropic.enqueue({ kind: "error", status: 500 }); // fast fails twice: allowed_fails is 2
    await drain(r.stream("fast", request, options));
    // Changed deliberately: as LiteLLM, the failure after allowed_fails (the third) cools it down.
    anthropic.enqueue({ kind: "error", status: 500 });
    await drain(r.stream("fast", request, options));
    attempts = [];
    await drain(r.stream("fast", request, options));
    expect(attempts.map((a) => a.modelName)).toEqual(["smart"]);
    clock += 31_000;
    attempts = [];
    await drain(r.stream("fast", request, options));
    expect(attempts.map((a) => a.modelName)).toEqual(["fast"]);
  });

  it("says so when every deployment is cooling and there is no fallback", async () => {
    const r = router(TIERS, {}, { OLLAMA_HOST: CLOSED_PORT_URL });
    await failure(drain(r.stream("local-fast", request, { fallbacks: false })));
    const error = await failure(drain(r.stream("local-fast", request, { fallbacks: false })));
    expect(error.code).toBe("E_UNAVAILABLE");
    expect(error.message).toMatch(/cooling down.*about 30 s left/);
  });

  it("moves a too-long request to its context_window_fallbacks", async () => {
    anthropic.enqueue({ kind: "error", status: 400, message: "prompt is too long: 250000 tokens > 200000 maximum" });
    const { text } = await drain(router(TIERS).stream("fast", request, options));
    expect(text).toBe("You said: hello");
    expect(attempts.map((a) => [a.modelName, a.errorCode])).toEqual([
      ["fast", "E_CONTEXT_WINDOW"],
      ["smart", undefined],
    ]);
  });

  it("never retries or falls back once output reached the caller", async () => {
    anthropic.enqueue({ kind: "cut", text: "half of an answer that will be cut off midway" });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const part of router(TIERS).stream("fast", request, options)) {
          if (part.type === "text-delta") seen.push(part.text);
        }
      })(),
    );
    expect(error.code).toBe("E_STREAM");
    expect(seen.length).toBeGreaterThan(0);
    expect(fallbacks).toEqual([]);
    expect(anthropic.messageRequests).toHaveLength(1);
  });

  it("balances load across two deployments (simple-shuffle, weighted)", async () => {
    const yaml = `
model_list:
  - model_name: local
    litellm_params: { model: ollama_chat/qwen3:8b, weight: 1 }
  - model_name: local
    litellm_params: { model: openai/qwen3-8b, api_base: ${openai.url}/v1, api_key: sk-compat, weight: 3 }
`;
    const rolls = [0.1, 0.3, 0.6, 0.9]; // weights 1:3 -> 0.1 picks ollama, the rest the compat server
    const r = router(yaml, { random: () => rolls.shift() ?? 0 });
    for (let i = 0; i < 4; i++) await drain(r.stream("local", request, options));
    expect(attempts.map((a) => a.provider)).toEqual(["ollama", "openai", "openai", "openai"]);
    expect(attempts.every((a) => a.local)).toBe(true); // a loopback endpoint counts as local
  });

  it("routes by least-busy, latency and rpm", async () => {
    const two = (strategy: string, extra = "") => `
model_list:
  - model_name: m
    litellm_params: { model: ollama_chat/qwen3:8b ${extra} }
  - model_name: m
    litellm_params: { model: openai/qwen3-8b, api_base: ${openai.url}/v1, api_key: sk-compat }
router_settings: { routing_strategy: ${strategy} }
`;
    // least-busy: while the first call is still streaming, the second goes elsewhere.
    ollama.enqueue({ kind: "text", text: "slow answer from ollama", chunks: 4, chunkDelayMs: 30 });
    const busy = router(two("least-busy"));
    const first = drain(busy.stream("m", request, options));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await drain(busy.stream("m", request, options));
    await first;
    expect(new Set(attempts.map((a) => a.provider))).toEqual(new Set(["ollama", "openai"]));

    // latency-based: after one slow call to ollama, the faster deployment is preferred.
    attempts = [];
    const timed = router(two("latency-based-routing"), { now: () => Date.now() });
    ollama.enqueue({ kind: "text", text: "slow", chunks: 2, chunkDelayMs: 40 });
    await drain(timed.stream("m", request, options)); // untried ones go first: ollama (slow)
    await drain(timed.stream("m", request, options)); // then the untried compat server
    await drain(timed.stream("m", request, options)); // now the faster one
    expect(attempts.map((a) => a.provider)).toEqual(["ollama", "openai", "openai"]);

    // rpm: one request a minute on ollama; the second goes to the other deployment.
    attempts = [];
    const limited = router(two("least-busy", ", rpm: 1"));
    await drain(limited.stream("m", request, options));
    await drain(limited.stream("m", request, options));
    expect(attempts.map((a) => a.provider)).toEqual(["ollama", "openai"]);
  });

  it("serves deterministic requests from the cache without a network call", async () => {
    const store = Store.open(`${home}/hob.db`);
    const r = router(TIERS, { cache: storeCache(store), cacheTtlMs: 60_000 });
    const first = await drain(r.stream("fast", request, options));
    expect(anthropic.messageRequests).toHaveLength(1);
    const second = await drain(r.stream("fast", request, options));
    expect(second.text).toBe(first.text);
    expect(anthropic.messageRequests).toHaveLength(1); // the hit made no network call
    expect(attempts.map((a) => [a.cached, (a.costUsd ?? 0) > 0])).toEqual([
      [false, true],
      [true, false],
    ]);
    // Not cached: another model name, a temperature above 0, a side-effecting tool, --no-cache, expiry.
    await drain(r.stream("smart", request));
    await drain(r.stream("fast", { ...request, temperature: 0.7 }));
    await drain(r.stream("fast", { ...request, tools: [{ name: "write_file", description: "w", inputSchema: {} }] }));
    await drain(r.stream("fast", request, { cache: false }));
    clock += 61_000;
    await drain(r.stream("fast", request));
    expect(anthropic.messageRequests).toHaveLength(6);
    expect(store.responseCache.stats(clock)).toMatchObject({ hits: 1 });
    store.close();
  });

  it("speaks to OpenAI-compatible endpoints with bearer auth and usage", async () => {
    const yaml = `
model_list:
  - model_name: compat
    litellm_params: { model: openai/my-model, api_base: ${openai.url}/v1, api_key: os.environ/COMPAT_KEY, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
`;
    openai.enqueue({ kind: "text", text: "compatible!", promptTokens: 100, completionTokens: 50 });
    const { text } = await drain(router(yaml).stream("compat", request, options));
    expect(text).toBe("compatible!");
    expect(openai.chatRequests[0]?.headers.authorization).toBe("Bearer sk-compat");
    expect(openai.chatRequests[0]?.body).toMatchObject({ model: "my-model", stream: true, temperature: 0 });
    expect(attempts[0]).toMatchObject({ usage: { inputTokens: 100, outputTokens: 50 }, costUsd: 0.0002 });
    const error = await failure(drain(router(yaml, {}, { COMPAT_KEY: "wrong" }).stream("compat", request)));
    expect(error.code).toBe("E_AUTH");
    expect(error.hint).toContain("COMPAT_KEY");
  });

  it("rejects an unknown model name with the names it knows", async () => {
    const error = await failure(drain(router(TIERS).stream("huge", request)));
    expect(error.code).toBe("E_CONFIG");
    expect(error.hint).toContain("local-fast, fast, smart");
  });
});
