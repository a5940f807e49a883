import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BAD_KEY, FakeAnthropic } from "../../test/fakes/anthropic.js";
import { drain, failure } from "../../test/helpers.js";
import { checkAnthropic, createAnthropicProvider, type Provider, type StreamPart } from "./index.js";

const KEY = "sk-ant-test-key-0123456789";

const collect = async (stream: AsyncIterable<StreamPart>) => (await drain(stream)).parts;

describe("Anthropic provider against a fake Messages API", () => {
  let fake: FakeAnthropic;
  let provider: Provider;
  const request = {
    model: "claude-haiku-4-5",
    messages: [{ role: "user" as const, content: "hi" }],
    maxOutputTokens: 256,
  };

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
    provider = await createAnthropicProvider({ apiKey: KEY, baseUrl: fake.url, timeoutMs: 2_000 });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("streams text and reports usage with cache tokens", async () => {
    fake.enqueue({
      kind: "text",
      text: "Hello, world!",
      chunks: 4,
      usage: { input_tokens: 10, output_tokens: 4, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
    });
    const parts = await collect(provider.stream({ ...request, system: "be brief" }));
    const text = parts.flatMap((p) => (p.type === "text-delta" ? [p.text] : [])).join("");
    expect(text).toBe("Hello, world!");
    expect(parts.filter((p) => p.type === "text-delta").length).toBeGreaterThan(1);
    expect(parts.at(-1)).toEqual({
      type: "finish",
      finishReason: "stop",
      usage: { inputTokens: 10, outputTokens: 4, cacheReadTokens: 100, cacheWriteTokens: 20 },
    });
    const sent = fake.messageRequests[0];
    expect(sent?.path).toBe("/v1/messages");
    expect(sent?.headers["x-api-key"]).toBe(KEY);
    expect(sent?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(sent?.body).toMatchObject({ model: "claude-haiku-4-5", stream: true, max_tokens: 256 });
    expect(JSON.stringify(sent?.body.system)).toContain("be brief");
  });

  it("streams tool_use blocks as tool calls with parsed input", async () => {
    fake.enqueue({ kind: "tool_use", name: "read_file", input: { path: "notes/a.md" }, text: "Let me look." });
    const parts = await collect(
      provider.stream({
        ...request,
        tools: [
          {
            name: "read_file",
            description: "Read a file",
            inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
          },
        ],
      }),
    );
    const call = parts.find((p) => p.type === "tool-call");
    expect(call).toMatchObject({ toolName: "read_file", input: { path: "notes/a.md" } });
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "tool-calls" });
    expect(fake.messageRequests[0]?.body.tools).toHaveLength(1);
  });

  it("answers whole (non-streaming JSON) with text and tool calls", async () => {
    fake.enqueue({ kind: "tool_use", name: "list_directory", input: { path: "." }, text: "Listing." });
    const response = await provider.generate({
      ...request,
      messages: [
        { role: "user", content: "list" },
        { role: "assistant", content: [{ type: "tool-call", toolCallId: "t1", toolName: "x", input: {} }] },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "t1", toolName: "x", output: "boom", isError: true }],
        },
      ],
      tools: [{ name: "list_directory", description: "List", inputSchema: { type: "object", properties: {} } }],
    });
    expect(response.text).toBe("Listing.");
    expect(response.toolCalls).toEqual([expect.objectContaining({ toolName: "list_directory", input: { path: "." } })]);
    expect(response.finishReason).toBe("tool-calls");
    expect(fake.messageRequests[0]?.body.stream).toBeFalsy();
    const toolMessage = JSON.stringify(fake.messageRequests[0]?.body.messages);
    expect(toolMessage).toContain("tool_result");
    expect(toolMessage).toContain('"is_error":true');
  });

  it("maps 401 to E_AUTH and does not retry it", async () => {
    const bad = await createAnthropicProvider({ apiKey: BAD_KEY, baseUrl: fake.url, timeoutMs: 2_000 });
    const error = await failure(collect(bad.stream(request)));
    expect(error.code).toBe("E_AUTH");
    expect(error.message).toContain("401");
    expect(error.hint).toContain("ANTHROPIC_API_KEY");
    expect(error.retryable).toBe(false);
  });

  it("times out a request that never answers", async () => {
    const impatient = await createAnthropicProvider({ apiKey: KEY, baseUrl: fake.url, timeoutMs: 150 });
    fake.enqueue({ kind: "hang" });
    const error = await failure(collect(impatient.stream(request)));
    expect(error.code).toBe("E_TIMEOUT");
    expect(error.retryable).toBe(true);
  });

  it("times out a stream that stalls between chunks", async () => {
    const impatient = await createAnthropicProvider({ apiKey: KEY, baseUrl: fake.url, timeoutMs: 150 });
    fake.enqueue({ kind: "text", text: "slow answer here", chunks: 3, chunkDelayMs: 400 });
    const error = await failure(collect(impatient.stream(request)));
    expect(error.code).toBe("E_TIMEOUT");
  });

  it("reports a stream cut after text was shown as E_STREAM", async () => {
    fake.enqueue({ kind: "cut", text: "The first half arrives and then the conn" });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const part of provider.stream(request)) {
          if (part.type === "text-delta") seen.push(part.text);
        }
      })(),
    );
    expect(error.code).toBe("E_STREAM");
    expect(seen.join("").length).toBeGreaterThan(0);
  });

  it("marks 429, 500 and 529 retryable with the server's retry-after", async () => {
    fake.enqueue(
      { kind: "error", status: 429, headers: { "retry-after": "7" } },
      { kind: "error", status: 500 },
      { kind: "error", status: 529 },
    );
    const limited = await failure(collect(provider.stream(request)));
    expect(limited).toMatchObject({ code: "E_RATE_LIMIT", retryable: true, retryAfterMs: 7000 });
    expect(await failure(collect(provider.stream(request)))).toMatchObject({ code: "E_PROVIDER", retryable: true });
    expect(await failure(collect(provider.stream(request)))).toMatchObject({ code: "E_OVERLOADED", retryable: true });
  });

  it("maps an SSE error event mid-stream", async () => {
    fake.enqueue({ kind: "stream-error", text: "partial", errorType: "overloaded_error" });
    const error = await failure(collect(provider.stream(request)));
    expect(error.code).toBe("E_OVERLOADED");
  });

  it("cancels on the caller's signal", async () => {
    fake.enqueue({ kind: "hang" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(collect(provider.stream({ ...request, signal: controller.signal })));
    expect(error.code).toBe("E_CANCELLED");
    const already = await failure(collect(provider.stream({ ...request, signal: controller.signal })));
    expect(already.code).toBe("E_CANCELLED");
  });

  it("reports a 400 with the API's message", async () => {
    fake.enqueue({ kind: "error", status: 404, message: "model: claude-nope" });
    const error = await failure(provider.generate(request));
    expect(error.code).toBe("E_BAD_REQUEST");
    expect(error.message).toContain("model: claude-nope");
    expect(error.hint).toContain("litellm.yaml");
  });

  it("reports an unreachable endpoint as E_NETWORK", async () => {
    const nowhere = await createAnthropicProvider({ apiKey: KEY, baseUrl: "http://127.0.0.1:47", timeoutMs: 2_000 });
    const error = await failure(collect(nowhere.stream(request)));
    expect(error.code).toBe("E_NETWORK");
    expect(error.message).toContain("127.0.0.1:47");
  });

  it("refuses to start without a key", async () => {
    const error = await failure(createAnthropicProvider({ apiKey: undefined, baseUrl: fake.url, timeoutMs: 1 }));
    expect(error.code).toBe("E_NO_API_KEY");
    expect(error.hint).toContain("ANTHROPIC_API_KEY");
  });

  it("checks reachability and the key without spending tokens", async () => {
    expect((await checkAnthropic({ apiKey: KEY, baseUrl: fake.url, timeoutMs: 2_000 })).ok).toBe(true);
    const rejected = await checkAnthropic({ apiKey: BAD_KEY, baseUrl: fake.url, timeoutMs: 2_000 });
    expect(rejected.error?.code).toBe("E_AUTH");
    const down = await checkAnthropic({ apiKey: KEY, baseUrl: "http://127.0.0.1:47", timeoutMs: 2_000 });
    expect(down.error?.code).toBe("E_NETWORK");
    expect(fake.messageRequests).toHaveLength(0);
  });
});
