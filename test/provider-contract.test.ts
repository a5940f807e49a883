/**
 * One contract, every provider: each production provider (built by its factory in
 * src/models, as the router builds it) runs the same suite against its fake server,
 * which speaks that provider's real wire protocol. Only the base URL differs from
 * production. A provider that genuinely behaves differently says so in its table
 * row, with the reason, rather than in a special case inside a test.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createAnthropicProvider,
  createOllamaProvider,
  createOpenAICompatibleProvider,
  type Provider,
  type StreamPart,
} from "../src/models/index.js";
import { BAD_KEY, FakeAnthropic } from "./fakes/anthropic.js";
import { FakeOllama } from "./fakes/ollama.js";
import { FakeOpenAI } from "./fakes/openai.js";
import { drain, failure } from "./helpers.js";

/** What a test asks a fake to do next, said the same way for every provider. */
interface Script {
  text(text: string, inputTokens: number, outputTokens: number): void;
  toolCall(name: string, input: Record<string, unknown>): void;
  error(status: number, headers?: Record<string, string>): void;
  cut(text: string): void;
  hang(): void;
}

interface Fake {
  url: string;
  reset(): void;
  close(): Promise<void>;
}

interface ProviderCase {
  name: string;
  model: string;
  start(): Promise<Fake>;
  script(fake: Fake): Script;
  provider(fake: Fake): Promise<Provider>;
  /** A provider whose next call the server refuses with 401. */
  unauthorized(fake: Fake): Promise<Provider>;
  /** Named in the 401 hint: where the key comes from. */
  keyVariable: string;
}

const ANTHROPIC_KEY = "sk-ant-test-key-0123456789";
const COMPAT_KEY = "sk-compat-0123456789";
const TIMEOUT_MS = 2_000;

const anthropic: ProviderCase = {
  name: "Anthropic",
  model: "claude-haiku-4-5",
  start: () => FakeAnthropic.start(),
  script: (f) => {
    const fake = f as FakeAnthropic;
    return {
      text: (text, input_tokens, output_tokens) =>
        fake.enqueue({ kind: "text", text, chunks: 4, usage: { input_tokens, output_tokens } }),
      toolCall: (name, input) => fake.enqueue({ kind: "tool_use", name, input }),
      error: (status, headers) => fake.enqueue({ kind: "error", status, headers }),
      cut: (text) => fake.enqueue({ kind: "cut", text }),
      hang: () => fake.enqueue({ kind: "hang" }),
    };
  },
  provider: (fake) => createAnthropicProvider({ apiKey: ANTHROPIC_KEY, baseUrl: fake.url, timeoutMs: TIMEOUT_MS }),
  unauthorized: (fake) => createAnthropicProvider({ apiKey: BAD_KEY, baseUrl: fake.url, timeoutMs: TIMEOUT_MS }),
  keyVariable: "ANTHROPIC_API_KEY",
};

const ollama: ProviderCase = {
  name: "Ollama",
  model: "qwen3:1.7b",
  start: () => FakeOllama.start(),
  script: (f) => {
    const fake = f as FakeOllama;
    return {
      text: (text, promptTokens, evalTokens) =>
        fake.enqueue({ kind: "text", text, chunks: 4, promptTokens, evalTokens }),
      toolCall: (name, args) => fake.enqueue({ kind: "tool_call", name, arguments: args }),
      error: (status, headers) => fake.enqueue({ kind: "error", status, message: `status ${status}`, headers }),
      cut: (text) => fake.enqueue({ kind: "cut", text }),
      hang: () => fake.enqueue({ kind: "hang" }),
    };
  },
  provider: (fake) => createOllamaProvider({ host: fake.url, timeoutMs: TIMEOUT_MS }),
  // Differs: Ollama itself has no keys, so the fake checks none. A 401 comes from a gateway in
  // front of it (litellm_params.api_key, sent as a bearer token); the server is told to refuse.
  unauthorized: async (fake) => {
    (fake as FakeOllama).enqueue({ kind: "error", status: 401, message: "invalid api key" });
    return createOllamaProvider({ host: fake.url, timeoutMs: TIMEOUT_MS, apiKey: "wrong-key-0123" });
  },
  // Differs: the Ollama provider names OLLAMA_HOST as where to look (its only setting variable).
  keyVariable: "OLLAMA_HOST",
};

const openai: ProviderCase = {
  name: "OpenAI-compatible",
  model: "gpt-4o-mini",
  start: () => FakeOpenAI.start(COMPAT_KEY),
  script: (f) => {
    const fake = f as FakeOpenAI;
    return {
      text: (text, promptTokens, completionTokens) =>
        fake.enqueue({ kind: "text", text, promptTokens, completionTokens }),
      toolCall: (name, args) => fake.enqueue({ kind: "tool_call", name, arguments: args }),
      error: (status, headers) => fake.enqueue({ kind: "error", status, message: `status ${status}`, headers }),
      cut: (text) => fake.enqueue({ kind: "cut", text }),
      hang: () => fake.enqueue({ kind: "hang" }),
    };
  },
  provider: (fake) =>
    createOpenAICompatibleProvider({
      baseUrl: `${fake.url}/v1`,
      apiKey: COMPAT_KEY,
      keyVariable: "COMPAT_KEY",
      timeoutMs: TIMEOUT_MS,
    }),
  unauthorized: (fake) =>
    createOpenAICompatibleProvider({
      baseUrl: `${fake.url}/v1`,
      apiKey: "sk-wrong-0123456789",
      keyVariable: "COMPAT_KEY",
      timeoutMs: TIMEOUT_MS,
    }),
  keyVariable: "COMPAT_KEY",
};

const READ_FILE = {
  name: "read_file",
  description: "Read a file",
  inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
};

const collect = async (stream: AsyncIterable<StreamPart>) => (await drain(stream)).parts;

describe.each([anthropic, ollama, openai])("provider contract: $name", (c) => {
  let fake: Fake;
  let provider: Provider;
  let next: Script;
  const request = () => ({
    model: c.model,
    messages: [{ role: "user" as const, content: "hi" }],
    maxOutputTokens: 256,
  });

  beforeAll(async () => {
    fake = await c.start();
    next = c.script(fake);
    provider = await c.provider(fake);
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("streams text deltas, then a finish with usage", async () => {
    next.text("Hello from the contract!", 12, 5);
    const parts = await collect(provider.stream(request()));
    const deltas = parts.filter((p) => p.type === "text-delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((p) => p.text).join("")).toBe("Hello from the contract!");
    expect(parts.findIndex((p) => p.type === "finish")).toBe(parts.length - 1);
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "stop",
      usage: { inputTokens: 12, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it("streams a tool call with parsed input, and takes its result back", async () => {
    next.toolCall("read_file", { path: "notes/a.md" });
    const parts = await collect(provider.stream({ ...request(), tools: [READ_FILE] }));
    const call = parts.find((p) => p.type === "tool-call");
    expect(call).toMatchObject({ type: "tool-call", toolName: "read_file", input: { path: "notes/a.md" } });
    expect(call?.type === "tool-call" && call.toolCallId).toBeTruthy();
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "tool-calls" });
    if (call?.type !== "tool-call") throw new Error("no tool call");

    // The round trip: the call and its result go back, and the model answers.
    next.text("The file says hello.", 30, 6);
    const answer = await drain(
      provider.stream({
        ...request(),
        tools: [READ_FILE],
        messages: [
          { role: "user", content: "read notes/a.md" },
          { role: "assistant", content: [call] },
          {
            role: "tool",
            content: [{ type: "tool-result", toolCallId: call.toolCallId, toolName: "read_file", output: "hello" }],
          },
        ],
      }),
    );
    expect(answer.text).toBe("The file says hello.");
  });

  it("generate() returns the text and usage", async () => {
    next.text("A whole answer.", 9, 4);
    const response = await provider.generate(request());
    expect(response).toMatchObject({
      text: "A whole answer.",
      toolCalls: [],
      finishReason: "stop",
      usage: { inputTokens: 9, outputTokens: 4 },
    });
  });

  it("generate() returns tool calls with parsed input", async () => {
    next.toolCall("read_file", { path: "b.md" });
    const response = await provider.generate({ ...request(), tools: [READ_FILE] });
    expect(response.toolCalls).toEqual([expect.objectContaining({ toolName: "read_file", input: { path: "b.md" } })]);
    expect(response.finishReason).toBe("tool-calls");
  });

  it("maps a 401 to E_AUTH with a hint naming the key, not retryable", async () => {
    const refused = await c.unauthorized(fake);
    const error = await failure(collect(refused.stream(request())));
    expect(error).toMatchObject({ code: "E_AUTH", retryable: false, status: 401 });
    expect(error.hint).toContain(c.keyVariable);
  });

  it("maps a 429 with retry-after to E_RATE_LIMIT, retryable, with retryAfterMs", async () => {
    next.error(429, { "retry-after": "7" });
    const error = await failure(collect(provider.stream(request())));
    expect(error).toMatchObject({ code: "E_RATE_LIMIT", retryable: true });
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.hint).toBeTruthy();
  });

  it("maps a 5xx to a retryable error", async () => {
    next.error(503);
    const error = await failure(collect(provider.stream(request())));
    expect(error).toMatchObject({ code: "E_PROVIDER", retryable: true, status: 503 });
  });

  it("maps a stream cut mid-answer to E_STREAM after the partial text", async () => {
    next.cut("The first half arrives and then the connection drops");
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const part of provider.stream(request())) if (part.type === "text-delta") seen.push(part.text);
      })(),
    );
    expect(seen.join("").length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: "E_STREAM", retryable: true });
  });

  it("maps cancellation through the AbortSignal to E_CANCELLED", async () => {
    next.hang();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(collect(provider.stream({ ...request(), signal: controller.signal })));
    expect(error.code).toBe("E_CANCELLED");
    const already = await failure(provider.generate({ ...request(), signal: controller.signal }));
    expect(already.code).toBe("E_CANCELLED");
  });
});
