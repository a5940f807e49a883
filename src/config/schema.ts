import { z } from "zod";

/** USD per million tokens. */
export const priceSchema = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cache_read: z.number().nonnegative().optional(),
    cache_write: z.number().nonnegative().optional(),
  })
  .strict();

export type Price = z.infer<typeof priceSchema>;

export const TIERS = ["fast", "smart"] as const;
export type Tier = (typeof TIERS)[number];

export const DEFAULT_SMART_KEYWORDS = [
  "code",
  "implement",
  "refactor",
  "debug",
  "architecture",
  "design",
  "prove",
  "proof",
  "analyse",
  "analyze",
  "step by step",
  "compare",
  "plan",
  "optimise",
  "optimize",
  "algorithm",
  "essay",
  "report",
  "review",
];

/**
 * The whole of hob.yaml. Every object is strict: an unknown key is an error that
 * names the key, so a typo never silently falls back to a default.
 */
export const configSchema = z
  .object({
    anthropic: z
      .object({
        /** Official SDK convention: no `/v1` at the end. ANTHROPIC_BASE_URL wins. */
        base_url: z.url().default("https://api.anthropic.com"),
        /** Prefer the ANTHROPIC_API_KEY environment variable; it wins over this. */
        api_key: z.string().min(1).optional(),
        /** Time to wait for the response to start, and between two streamed chunks. */
        timeout_ms: z.number().int().positive().default(60_000),
        max_retries: z.number().int().min(0).max(10).default(3),
        /** A server asking us to wait longer than this is treated as a failure. */
        max_retry_delay_ms: z.number().int().positive().default(60_000),
      })
      .strict()
      .default({
        base_url: "https://api.anthropic.com",
        timeout_ms: 60_000,
        max_retries: 3,
        max_retry_delay_ms: 60_000,
      }),
    tiers: z
      .object({
        fast: z.string().min(1).default("claude-haiku-4-5"),
        smart: z.string().min(1).default("claude-sonnet-4-5"),
      })
      .strict()
      .default({ fast: "claude-haiku-4-5", smart: "claude-sonnet-4-5" }),
    routing: z
      .object({
        /** `auto` applies the rule below; a tier name pins every task to it. */
        default_tier: z.enum(["auto", ...TIERS]).default("auto"),
        /** Tasks longer than this go to the smart tier. */
        long_task_chars: z.number().int().positive().default(600),
        /** A task mentioning one of these words goes to the smart tier. */
        smart_keywords: z.array(z.string().min(1)).default(DEFAULT_SMART_KEYWORDS),
      })
      .strict()
      .default({
        default_tier: "auto",
        long_task_chars: 600,
        smart_keywords: DEFAULT_SMART_KEYWORDS,
      }),
    max_output_tokens: z.number().int().positive().default(4096),
    /** Overrides or additions to the built-in price table, keyed by model id. */
    pricing: z.record(z.string(), priceSchema).default({}),
  })
  .strict();

export type HobConfig = z.infer<typeof configSchema>;
