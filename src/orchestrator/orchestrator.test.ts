import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeAnthropic } from "../../test/fakes/anthropic.js";
import { tempHome } from "../../test/helpers.js";
import { type LoadedConfig, loadConfig } from "../config/index.js";
import type { HobEvent } from "../events/index.js";
import { Store } from "../store/index.js";
import { createOrchestrator, Orchestrator } from "./index.js";

describe("Orchestrator", () => {
  let fake: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let config: LoadedConfig;
  let store: Store;

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    config = loadConfig({
      HOB_HOME: home,
      ANTHROPIC_API_KEY: "sk-ant-test-key-0123456789",
      ANTHROPIC_BASE_URL: fake.url,
    });
    store = Store.open(config.paths.database);
    fake.requests.length = 0;
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  it("records a task, its model call, tokens and cost, and emits events in order", async () => {
    fake.enqueue({ kind: "text", text: "Four.", usage: { input_tokens: 1000, output_tokens: 200 } });
    const events: HobEvent[] = [];
    const result = await createOrchestrator(config, store).run({
      input: "  what is 2+2?  ",
      onEvent: (e) => events.push(e),
    });

    expect(result).toMatchObject({
      status: "succeeded",
      agent: "general",
      tier: "fast",
      model: "claude-haiku-4-5",
      output: "Four.",
      usage: { input_tokens: 1000, output_tokens: 200 },
      cached: false,
    });
    expect(result.cost_usd).toBeCloseTo((1000 * 1 + 200 * 5) / 1e6, 12);
    expect(events.map((e) => e.type)).toEqual([
      "task-started",
      ...Array(3).fill("text-delta"),
      "model-call",
      "task-finished",
    ]);

    const task = store.tasks.getWithUsage(result.id);
    expect(task).toMatchObject({
      input: "what is 2+2?",
      status: "succeeded",
      output: "Four.",
      calls: 1,
      inputTokens: 1000,
    });
    expect(task.durationMs).toBeGreaterThanOrEqual(0);
    expect(store.modelCalls.forTask(result.id)).toEqual([
      expect.objectContaining({
        provider: "anthropic",
        model: "claude-haiku-4-5",
        tier: "fast",
        ok: true,
        outputTokens: 200,
      }),
    ]);
  });

  it("uses the smart tier's model for demanding tasks", async () => {
    const result = await createOrchestrator(config, store).run({ input: "design a schema for a library" });
    expect(result.tier).toBe("smart");
    expect(fake.messageRequests[0]?.body.model).toBe("claude-sonnet-4-5");
    expect(store.tasks.get(result.id).tierReason).toBe('mentions "design"');
  });

  it("records a failed task with its error and every attempt", async () => {
    fake.enqueue({ kind: "error", status: 500 }, { kind: "error", status: 400, message: "max_tokens: too large" });
    const events: HobEvent[] = [];
    const orchestrator = new Orchestrator({
      config,
      store,
      prices: new (await import("../models/index.js")).PriceTable(),
      providerFor: async () =>
        (await import("../models/index.js")).createAnthropicProvider({
          apiKey: "sk-ant-x",
          baseUrl: fake.url,
          timeoutMs: 2000,
        }),
      sleep: async () => undefined,
    });
    const result = await orchestrator.run({ input: "hello", onEvent: (e) => events.push(e) });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("E_BAD_REQUEST");
    expect(events.map((e) => e.type)).toEqual([
      "task-started",
      "model-call",
      "model-retry",
      "model-call",
      "task-failed",
    ]);
    expect(store.tasks.get(result.id)).toMatchObject({ status: "failed", errorCode: "E_BAD_REQUEST" });
    expect(store.modelCalls.forTask(result.id).map((c) => [c.attempt, c.ok, c.errorCode])).toEqual([
      [1, false, "E_PROVIDER"],
      [2, false, "E_BAD_REQUEST"],
    ]);
  });

  it("records a missing key as a failed task that says how to fix it", async () => {
    const keyless = loadConfig({ HOB_HOME: home });
    const result = await createOrchestrator(keyless, store).run({ input: "hello" });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("E_NO_API_KEY");
    expect(store.tasks.get(result.id).status).toBe("failed");
  });

  it("keeps the partial answer of a cancelled task", async () => {
    fake.enqueue({ kind: "text", text: "one two three four five six", chunks: 6, chunkDelayMs: 100 });
    const controller = new AbortController();
    const result = await createOrchestrator(config, store).run({
      input: "count",
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "text-delta") controller.abort();
      },
    });
    expect(result.status).toBe("cancelled");
    expect(result.error?.code).toBe("E_CANCELLED");
    const task = store.tasks.get(result.id);
    expect(task.status).toBe("cancelled");
    expect(task.output?.length).toBeGreaterThan(0);
  });

  it("sends earlier turns of a conversation", async () => {
    const orchestrator = createOrchestrator(config, store);
    const session = store.createSession();
    await orchestrator.run({
      input: "and in French?",
      sessionId: session,
      history: [
        { role: "user", content: "say hello" },
        { role: "assistant", content: "hello" },
      ],
    });
    expect(fake.messageRequests[0]?.body.messages).toHaveLength(3);
    expect(store.tasks.list({ limit: 1 })[0]?.sessionId).toBe(session);
  });

  it("rejects an empty task before recording anything", async () => {
    await expect(createOrchestrator(config, store).run({ input: "   " })).rejects.toMatchObject({ code: "E_USAGE" });
    expect(store.tasks.list({ limit: 5 })).toHaveLength(0);
  });
});
