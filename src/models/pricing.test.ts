import { describe, expect, it } from "vitest";
import { HobError } from "../errors/index.js";
import { PriceTable, parseRetryAfter, retryDelay } from "./index.js";

describe("PriceTable", () => {
  const table = new PriceTable({ "my-model": { input: 2, output: 4 } });

  it("finds dated and prefixed model ids by their family", () => {
    expect(table.lookup("claude-haiku-4-5-20251001")?.input).toBe(1);
    expect(table.lookup("anthropic/claude-sonnet-4-5")?.output).toBe(15);
    // The longest known prefix wins: sonnet-4-5 is not priced as sonnet-4.
    expect(table.lookup("claude-sonnet-4-5-20250929")).toEqual(table.lookup("claude-sonnet-4-5"));
    // Changed deliberately: OpenAI's models are in the shipped price list now.
    expect(table.lookup("openai/gpt-4o")).toMatchObject({ input: 2.5, output: 10 });
    expect(table.lookup("gpt-4o-mini-2024-07-18")).toMatchObject({ input: 0.15, output: 0.6 });
    expect(table.lookup("gpt-5.1")).toBeUndefined(); // not priced as gpt-5: only a "-" suffix is a family
    expect(table.lookup("claude-sonnet-4-5-20250929")).toMatchObject({ cache_read: 0.3, cache_write: 3.75 });
  });

  it("prices input, output and cache tokens per million", () => {
    const usage = {
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      cacheReadTokens: 1_000_000,
      cacheWriteTokens: 1_000_000,
    };
    expect(table.cost("claude-haiku-4-5", usage)).toBeCloseTo(1 + 5 + 0.1 + 1.25, 9);
    // Config overrides without cache prices use Anthropic's multipliers.
    expect(table.cost("my-model", usage)).toBeCloseTo(2 + 4 + 0.2 + 2.5, 9);
    // An unknown model has no price: null (unknown), never a silent $0.
    expect(table.cost("unknown", usage)).toBeNull();
    expect(
      table.cost("claude-sonnet-4-5", {
        ...usage,
        inputTokens: 1234,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      }),
    ).toBeCloseTo(0.003702, 9);
  });
});

describe("retry timing", () => {
  it("reads retry-after as seconds, ms, or an HTTP date", () => {
    expect(parseRetryAfter({ "retry-after": "2" })).toBe(2000);
    expect(parseRetryAfter({ "Retry-After-Ms": "150" })).toBe(150);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }, now)).toBe(3000);
    expect(parseRetryAfter({ "retry-after": "soon" })).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it("retries only retryable errors, within the policy", () => {
    const policy = { maxRetries: 2, maxRetryDelayMs: 5_000 };
    const retryable = new HobError("E_PROVIDER", "x", { retryable: true });
    expect(retryDelay(retryable, 1, policy)).toBe(500);
    expect(retryDelay(retryable, 2, policy)).toBe(1000);
    expect(retryDelay(retryable, 3, policy)).toBeUndefined();
    expect(retryDelay(new HobError("E_AUTH", "x"), 1, policy)).toBeUndefined();
    expect(retryDelay(new HobError("E_RATE_LIMIT", "x", { retryable: true, retryAfterMs: 4_000 }), 1, policy)).toBe(
      4_000,
    );
    expect(
      retryDelay(new HobError("E_RATE_LIMIT", "x", { retryable: true, retryAfterMs: 9_000 }), 1, policy),
    ).toBeUndefined();
  });
});
