import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { isLocalDeployment, type Price, type ProviderKind, type RouterConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";
import type { Usage } from "./types.js";

/** hob's price list, in LiteLLM's `model_prices_and_context_window.json` format (USD per token). */
export const PRICE_LIST_FILE = fileURLToPath(
  new URL("../../config/model_prices_and_context_window.json", import.meta.url),
);

/** One entry of LiteLLM's price list; other fields (context window, capabilities) are kept out. */
const entrySchema = z.looseObject({
  input_cost_per_token: z.number().nonnegative(),
  output_cost_per_token: z.number().nonnegative(),
  cache_creation_input_token_cost: z.number().nonnegative().optional(),
  cache_read_input_token_cost: z.number().nonnegative().optional(),
  litellm_provider: z.string(),
  mode: z.string().optional(),
});

export interface PriceList {
  prices: Record<string, Price>;
  /** Model id -> LiteLLM provider (`anthropic`, `openai`). */
  providers: Record<string, string>;
}

/** Per token -> per million tokens, without float noise (0.8e-6 * 1e6 is not 0.8). */
const perMillion = (perToken: number) => Math.round(perToken * 1e12) / 1e6;

/** Parses a price list in LiteLLM's format; `sample_spec` and non-chat entries are skipped. */
export function parsePriceList(text: string, file: string): PriceList {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HobError("E_CONFIG", `${file}: not valid JSON (${(error as Error).message}).`, { cause: error });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new HobError("E_CONFIG", `${file}: the price list must be an object keyed by model id.`);
  }
  const list: PriceList = { prices: {}, providers: {} };
  for (const [model, value] of Object.entries(raw)) {
    if (model === "sample_spec") continue;
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success) {
      throw new HobError("E_CONFIG", `${file}: "${model}": ${parsed.error.issues[0]?.message ?? "invalid entry"}.`, {
        hint: "Each entry needs input_cost_per_token, output_cost_per_token and litellm_provider (LiteLLM's format).",
      });
    }
    const entry = parsed.data;
    if (entry.mode !== undefined && entry.mode !== "chat") continue;
    list.prices[model] = {
      input: perMillion(entry.input_cost_per_token),
      output: perMillion(entry.output_cost_per_token),
      ...(entry.cache_read_input_token_cost === undefined
        ? {}
        : { cache_read: perMillion(entry.cache_read_input_token_cost) }),
      ...(entry.cache_creation_input_token_cost === undefined
        ? {}
        : { cache_write: perMillion(entry.cache_creation_input_token_cost) }),
    };
    list.providers[model] = entry.litellm_provider;
  }
  return list;
}

let shipped: PriceList | undefined;
function shippedList(): PriceList {
  shipped ??= parsePriceList(readFileSync(PRICE_LIST_FILE, "utf8"), PRICE_LIST_FILE);
  return shipped;
}

/**
 * Built-in prices in USD per million tokens, from the shipped price list (published list
 * prices of Anthropic's and OpenAI's models). Config `pricing:` adds to or overrides these.
 * Cache prices default to Anthropic's multipliers: a 5-minute cache write costs 1.25× input,
 * a cache read 0.1× input.
 */
export function defaultPrices(): Readonly<Record<string, Price>> {
  return shippedList().prices;
}

export class PriceTable {
  private readonly prices: Record<string, Price>;
  private readonly providers: Record<string, string>;

  constructor(overrides: Record<string, Price> = {}, list: PriceList = shippedList()) {
    this.prices = { ...list.prices, ...overrides };
    this.providers = list.providers;
  }

  /**
   * The price of a model id: exact match first, then the longest known name that
   * prefixes it up to a `-` (so dated ids like `claude-haiku-4-5-20251001` find their
   * family, but `gpt-5.1` is not priced as `gpt-5`). A provider prefix is ignored.
   */
  lookup(model: string): Price | undefined {
    const id = model.replace(/^(anthropic|openai)\//, "");
    const exact = this.prices[id];
    if (exact) return exact;
    let best: string | undefined;
    for (const name of Object.keys(this.prices)) {
      if (id.startsWith(`${name}-`) && (best === undefined || name.length > best.length)) best = name;
    }
    return best === undefined ? undefined : this.prices[best];
  }

  /** The chat models of a provider in the price list (what a wildcard deployment can call). */
  models(provider: ProviderKind): string[] {
    return Object.keys(this.providers).filter((model) => this.providers[model] === provider);
  }

  /** USD for one call; null for a model with no known price (never a silent $0). */
  cost(model: string, usage: Usage): number | null {
    const price = this.lookup(model);
    if (!price) return null;
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

/**
 * Remote deployments with no price from their config or the price list: their calls are
 * recorded with an unknown cost (never $0). Said by `hob doctor` and `hob config show`.
 */
export function unpricedWarnings(router: RouterConfig, prices: PriceTable): string[] {
  return router.deployments
    .filter((d) => !d.wildcard && !isLocalDeployment(d))
    .filter((d) => d.inputCostPerToken === undefined && d.outputCostPerToken === undefined && !prices.lookup(d.model))
    .map(
      (d) =>
        `${router.file}: "${d.modelName}" (${d.litellmModel}) has no known price: its calls are recorded with an unknown cost, not $0. Set input_cost_per_token / output_cost_per_token in litellm_params, or \`pricing:\` in hob.yaml.`,
    );
}
