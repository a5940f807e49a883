import type { Price } from "../config/index.js";
import type { Usage } from "./types.js";

/**
 * Built-in prices in USD per million tokens (Anthropic's published list prices).
 * Config `pricing:` adds to or overrides these. Cache prices default to Anthropic's
 * multipliers: a 5-minute cache write costs 1.25× input, a cache read 0.1× input.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  "claude-opus-4-5": { input: 5, output: 25, cache_write: 6.25, cache_read: 0.5 },
  "claude-opus-4-1": { input: 15, output: 75, cache_write: 18.75, cache_read: 1.5 },
  "claude-opus-4": { input: 15, output: 75, cache_write: 18.75, cache_read: 1.5 },
  "claude-sonnet-4-5": { input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 },
  "claude-sonnet-4": { input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 },
  "claude-3-7-sonnet": { input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 },
  "claude-haiku-4-5": { input: 1, output: 5, cache_write: 1.25, cache_read: 0.1 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cache_write: 1, cache_read: 0.08 },
  "claude-3-haiku": { input: 0.25, output: 1.25, cache_write: 0.3, cache_read: 0.03 },
};

export class PriceTable {
  private readonly prices: Record<string, Price>;

  constructor(overrides: Record<string, Price> = {}) {
    this.prices = { ...DEFAULT_PRICES, ...overrides };
  }

  /**
   * The price of a model id: exact match first, then the longest known name that
   * prefixes it, so dated ids like `claude-haiku-4-5-20251001` find their family.
   * A provider prefix (`anthropic/`) is ignored.
   */
  lookup(model: string): Price | undefined {
    const id = model.replace(/^anthropic\//, "");
    const exact = this.prices[id];
    if (exact) return exact;
    let best: string | undefined;
    for (const name of Object.keys(this.prices)) {
      if (id.startsWith(name) && (best === undefined || name.length > best.length)) best = name;
    }
    return best === undefined ? undefined : this.prices[best];
  }

  /** USD for one call; 0 for a model with no known price (`hob doctor` warns about it). */
  cost(model: string, usage: Usage): number {
    const price = this.lookup(model);
    if (!price) return 0;
    const cacheWrite = price.cache_write ?? price.input * 1.25;
    const cacheRead = price.cache_read ?? price.input * 0.1;
    const micro =
      usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      usage.cacheWriteTokens * cacheWrite +
      usage.cacheReadTokens * cacheRead;
    // Round to 1e-9 USD so sums in SQLite stay exact enough to compare.
    return Math.round(micro * 1000) / 1e9;
  }
}
