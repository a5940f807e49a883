import { z } from "zod";
import { mcpServersSchema } from "./mcp.js";

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

/** The four tiers routing chooses among; each is a `model_name` in litellm.yaml. */
export const TIERS = ["local-fast", "local", "fast", "smart"] as const;
export type Tier = (typeof TIERS)[number];

/**
 * The built-in behaviours an agent's YAML can build on (`base:`), which are also the embedded
 * classifier's four classes and the rows of `routing.tiers`. Agents themselves are open: their
 * names come from the agent registry (hob's `agents/*.yaml` and the user's own).
 */
export const AGENT_BASES = ["code", "research", "fileops", "general"] as const;
export type AgentBase = (typeof AGENT_BASES)[number];

export const LOCAL_TIERS: readonly Tier[] = ["local-fast", "local"];

export const APPROVAL_LEVELS = ["allow", "ask", "deny"] as const;
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];
const approvalLevel = z.enum(APPROVAL_LEVELS);

const tierMap = z
  .object({
    code: z.enum(TIERS),
    research: z.enum(TIERS),
    fileops: z.enum(TIERS),
    general: z.enum(TIERS),
  })
  .strict();

export const DEFAULT_TIER_MAP = {
  simple: { code: "local", research: "local", fileops: "local-fast", general: "local-fast" },
  complex: { code: "smart", research: "smart", fileops: "fast", general: "fast" },
} as const satisfies Record<"simple" | "complex", Record<AgentBase, Tier>>;

/**
 * hob.yaml's `routing:` block: thresholds and tier mapping. The managed repository's `routing.yaml`
 * holds keys of this block too (without the `routing:` level); see loadConfig for the precedence.
 */
export const routingSchema = z
  .object({
    /** `auto` runs the classifier cascade; a tier name pins every task to it. */
    default_tier: z.enum(["auto", ...TIERS]).default("auto"),
    /** Below this calibrated confidence (the chance agent and complexity are both right), the local model is asked. */
    classifier_threshold: z.number().min(0).max(1).default(0.8),
    /** Below this confidence, the local model's verdict is not trusted: the task goes to the cloud. */
    llm_threshold: z.number().min(0).max(1).default(0.6),
    /**
     * How similar a task must be to one of an agent's `examples:` (0 to 1) for routing to pick that
     * agent without asking any model. Measured with bench/agent-match.ts.
     */
    agent_match_threshold: z.number().min(0).max(1).default(0.42),
    /** Whether step 2 of the cascade (the local model classifies) may run at all. */
    local_classifier: z.boolean().default(true),
    /**
     * Which model_name of the router config each tier uses, e.g. `{ fast: gpt-4o-mini }`. A tier
     * left out uses the model_name equal to it, else the nearest configured model.
     */
    models: z
      .object({
        "local-fast": z.string().min(1).optional(),
        local: z.string().min(1).optional(),
        fast: z.string().min(1).optional(),
        smart: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    /** Which tier takes a task, by its complexity and built-in agent; any other agent runs on its YAML tier. */
    tiers: z
      .object({ simple: tierMap, complex: tierMap })
      .strict()
      .default({ simple: { ...DEFAULT_TIER_MAP.simple }, complex: { ...DEFAULT_TIER_MAP.complex } }),
  })
  .strict();

/**
 * The whole of hob.yaml. Every object is strict: an unknown key is an error that
 * names the key, so a typo never silently falls back to a default. Models, retries,
 * timeouts, fallbacks and cooldowns live in litellm.yaml (LiteLLM's format).
 */
export const configSchema = z
  .object({
    anthropic: z
      .object({
        /** Official SDK convention: no `/v1` at the end. ANTHROPIC_BASE_URL wins. */
        base_url: z.url().default("https://api.anthropic.com"),
        /** Prefer the ANTHROPIC_API_KEY environment variable; it wins over this. */
        api_key: z.string().min(1).optional(),
      })
      .strict()
      .default({ base_url: "https://api.anthropic.com" }),
    ollama: z
      .object({
        /** OLLAMA_HOST wins over this. */
        host: z.string().min(1).default("http://127.0.0.1:11434"),
      })
      .strict()
      .default({ host: "http://127.0.0.1:11434" }),
    routing: routingSchema.default({
      default_tier: "auto",
      classifier_threshold: 0.8,
      llm_threshold: 0.6,
      agent_match_threshold: 0.42,
      local_classifier: true,
      models: {},
      tiers: { simple: { ...DEFAULT_TIER_MAP.simple }, complex: { ...DEFAULT_TIER_MAP.complex } },
    }),
    escalation: z
      .object({
        /** Re-run a task on the next tier when a local answer looks unreliable. */
        enabled: z.boolean().default(true),
        /** Also ask the local model to grade its own answer (one extra local call). */
        self_check: z.boolean().default(false),
        self_check_threshold: z.number().min(0).max(1).default(0.5),
      })
      .strict()
      .default({ enabled: true, self_check: false, self_check_threshold: 0.5 }),
    cache: z
      .object({
        enabled: z.boolean().default(true),
        ttl_hours: z.number().positive().default(168),
        /**
         * Semantic mode: a request worded differently from a cached one (same model, prompt and
         * earlier turns) gets its answer when the two embed at least `threshold` alike, with
         * memory.embedder. Off by default: it needs a semantic embedder (ollama/… or openai/…),
         * and a threshold measured on your model (bench/memory-embedder.ts shows how). The
         * builtin embedder is refused: at a 1 % false-hit rate it served 0.7 % of rewordings.
         */
        semantic: z
          .object({ enabled: z.boolean().default(false), threshold: z.number().min(0).max(1).default(0.95) })
          .strict()
          .default({ enabled: false, threshold: 0.95 }),
      })
      .strict()
      .default({ enabled: true, ttl_hours: 168, semantic: { enabled: false, threshold: 0.95 } }),
    /** 0 makes answers deterministic, which is what lets the response cache serve them. */
    temperature: z.number().min(0).max(2).default(0),
    max_output_tokens: z.number().int().positive().default(4096),
    /** A server asking us to wait longer than this before a retry counts as a failure. */
    max_retry_delay_ms: z.number().int().positive().default(60_000),
    /** Overrides or additions to the built-in price table, keyed by model id. */
    pricing: z.record(z.string(), priceSchema).default({}),
    /** The OS sandbox for running code: bubblewrap, or none (not safe; warned about on every run). */
    sandbox: z
      .object({ mode: z.enum(["bubblewrap", "none"]).default("bubblewrap") })
      .strict()
      .default({ mode: "bubblewrap" }),
    skills: z
      .object({
        /** A skill whose success rate over its last `review_window` runs falls below this needs review. */
        review_threshold: z.number().min(0).max(1).default(0.5),
        review_window: z.number().int().min(1).default(10),
        /** Runs needed before the rate counts. */
        min_runs: z.number().int().min(1).default(3),
        /** How many relevant skills an agent is told about when a task starts. */
        context_limit: z.number().int().min(0).default(3),
        timeout_seconds: z.number().positive().default(30),
      })
      .strict()
      .default({ review_threshold: 0.5, review_window: 10, min_runs: 3, context_limit: 3, timeout_seconds: 30 }),
    /**
     * What the model is told at the start of a task beyond its agent's prompt, in estimated
     * tokens (an estimate that errs high, by up to half again on English and code). 2000 is about
     * 1% of a cloud model's window and a quarter of an 8k local one, leaving the local tiers room
     * for the task and tools. Skills get 800: the default 3 skills, even with long descriptions
     * (about 250 each), plus the section's heading and closing line (about 70). Memory gets the
     * rest: similar past tasks 700 (about five one-paragraph outcomes) and facts the user told
     * hob 500. A section's budget above the total is capped by the total. (`memory`, the one
     * memory section of earlier versions, is still read: it is split 60/40 between the two.)
     */
    context: z
      .object({
        budget_tokens: z.number().int().min(0).default(2000),
        sections: z
          .object({
            skills: z.number().int().min(0).default(800),
            past_tasks: z.number().int().min(0).optional(),
            facts: z.number().int().min(0).optional(),
            memory: z.number().int().min(0).optional(),
          })
          .strict()
          .default({ skills: 800 })
          .transform(({ memory, past_tasks, facts, ...rest }) => ({
            ...rest,
            past_tasks: past_tasks ?? (memory === undefined ? 700 : Math.round(memory * 0.6)),
            facts: facts ?? (memory === undefined ? 500 : memory - Math.round(memory * 0.6)),
          })),
      })
      .strict()
      .default({ budget_tokens: 2000, sections: { skills: 800, past_tasks: 700, facts: 500 } }),
    /**
     * Memory: finished tasks and what the user tells hob (`hob memory add`), recalled into a new
     * task's context by hybrid search (full text + vectors). `embedder` names how vectors are
     * made: `builtin` (offline, lexical: shared words and word pieces), `ollama/<model>` or
     * `openai/<model>` (semantic), or `none` (full text only). `store` keeps the vectors in hob's
     * database (`sqlite`, sqlite-vec) or a ChromaDB server (`chroma`, at `chroma_url`).
     */
    memory: z
      .object({
        enabled: z.boolean().default(true),
        store: z.enum(["sqlite", "chroma"]).default("sqlite"),
        chroma_url: z.string().url().default("http://127.0.0.1:8001"),
        embedder: z
          .string()
          .regex(
            /^(builtin|none|(ollama|openai)\/[A-Za-z0-9._:-]+)$/,
            "an embedder is builtin, none, ollama/<model> or openai/<model>",
          )
          .default("builtin"),
        /** Similar past tasks told to a new task (before the budget cuts). */
        past_tasks: z.number().int().min(0).default(5),
        /** Facts and notes told to a new task (before the budget cuts). */
        facts: z.number().int().min(0).default(5),
        /** Remember each finished task (its input, outcome, tools and cost). */
        record_tasks: z.boolean().default(true),
        /** How fast recency fades, in days: a memory this old counts half as recent. */
        recency_half_life_days: z.number().positive().default(90),
        /**
         * A memory that only the vectors found must be at least this similar (cosine) to be
         * recalled. 0.2 suits the builtin embedder (unrelated texts score about 0 to 0.15);
         * semantic models score unrelated texts higher (about 0.3 to 0.5 for nomic-embed-text).
         */
        min_similarity: z.number().min(-1).max(1).default(0.2),
      })
      .strict()
      .default({
        enabled: true,
        store: "sqlite",
        chroma_url: "http://127.0.0.1:8001",
        embedder: "builtin",
        past_tasks: 5,
        facts: 5,
        record_tasks: true,
        recency_half_life_days: 90,
        min_similarity: 0.2,
      }),
    /**
     * Self-improvement: `hob serve` analyses the history on `schedule` (cron, in `timezone`,
     * default the machine's) and proposes changes a human approves. A run spends model tokens
     * only to write proposals that need code, and stops proposing at `max_cost_usd_per_run`.
     */
    improve: z
      .object({
        enabled: z.boolean().default(true),
        schedule: z.string().min(1).default("0 */6 * * *"),
        timezone: z.string().min(1).optional(),
        /** The model group that writes proposals (the code agent runs on it). */
        tier: z.string().min(1).default("smart"),
        max_cost_usd_per_run: z.number().min(0).default(0.25),
        /** At most this many proposals per run. */
        max_proposals_per_run: z.number().int().min(0).default(5),
        /** How long a proposal's approval stays valid. */
        approval_ttl_hours: z.number().positive().default(168),
        /** How many similar tasks (or failures) make a pattern worth a finding. */
        min_evidence: z.number().int().min(2).default(3),
      })
      .strict()
      .default({
        enabled: true,
        schedule: "0 */6 * * *",
        tier: "smart",
        max_cost_usd_per_run: 0.25,
        max_proposals_per_run: 5,
        approval_ttl_hours: 168,
        min_evidence: 3,
      }),
    /**
     * Hard spend limits in USD, counted from the recorded cost of every model call (answers,
     * routing, self-checks, self-improvement). Each is optional; none set: no limit. Before each
     * cloud call hob reserves the call's worst case (its input estimated high, its output at
     * max_output_tokens, at list price) and makes it only if every limit still holds; otherwise
     * the task falls back to a local tier, or stops with E_BUDGET. A day and a month are calendar
     * ones in `timezone` (an IANA name; default this machine's). HOB_BUDGET_DAILY_USD,
     * HOB_BUDGET_MONTHLY_USD and HOB_BUDGET_PER_TASK_USD win over these (`off` removes one).
     */
    budgets: z
      .object({
        daily_usd: z.number().min(0).optional(),
        monthly_usd: z.number().min(0).optional(),
        per_task_usd: z.number().min(0).optional(),
        timezone: z
          .string()
          .min(1)
          .refine(isTimeZone, { message: "not a time zone this system knows (an IANA name, e.g. Europe/Berlin)" })
          .optional(),
      })
      .strict()
      .default({}),
    /** Where agents work; default $HOB_HOME/workspace. `--workspace` wins. */
    workspace: z.string().min(1).optional(),
    research: z
      .object({
        search: z
          .object({
            /** searxng: a SearXNG instance's JSON API; brave: the Brave Search API. */
            provider: z.enum(["none", "searxng", "brave"]).default("none"),
            /** SearXNG's base URL, or another endpoint for Brave. */
            url: z.string().url().optional(),
            /** Brave's key; BRAVE_API_KEY wins. */
            api_key: z.string().min(1).optional(),
          })
          .strict()
          .default({ provider: "none" }),
        fetch: z
          .object({
            /** Hosts (name or name:port) that may be fetched although local or private. */
            allow_private_hosts: z.array(z.string().min(1)).default([]),
            max_bytes: z.number().int().positive().default(2_000_000),
            timeout_ms: z.number().int().positive().default(15_000),
          })
          .strict()
          .default({ allow_private_hosts: [], max_bytes: 2_000_000, timeout_ms: 15_000 }),
      })
      .strict()
      .default({
        search: { provider: "none" },
        fetch: { allow_private_hosts: [], max_bytes: 2_000_000, timeout_ms: 15_000 },
      }),
    /** Which tool calls need a human. The strictest applicable rule wins: deny > ask > allow. */
    approvals: z
      .object({
        delete: approvalLevel.default("ask"),
        overwrite: approvalLevel.default("ask"),
        move_overwrite: approvalLevel.default("ask"),
        new_domain: approvalLevel.default("ask"),
        sensitive: approvalLevel.default("ask"),
        /** Creating or changing a skill is self-modification: a human always sees it (or it is denied). */
        self_modification: z.enum(["ask", "deny"]).default("ask"),
        /**
         * A call of an MCP server's tool that the user has not approved with "always" (or whose
         * definition changed since): a human sees it first, or it is denied. A server's
         * `read_only:` tools skip this.
         */
        mcp_tool: z.enum(["ask", "deny"]).default("ask"),
        /** Per tool, e.g. { fetch_url: deny }. */
        tools: z.record(z.string(), approvalLevel).default({}),
        /** Domains fetch_url may use without asking. */
        allowed_domains: z.array(z.string().min(1)).default([]),
        ttl_minutes: z.number().positive().default(60),
      })
      .strict()
      .default({
        delete: "ask",
        overwrite: "ask",
        move_overwrite: "ask",
        new_domain: "ask",
        sensitive: "ask",
        self_modification: "ask",
        mcp_tool: "ask",
        tools: {},
        allowed_domains: [],
        ttl_minutes: 60,
      }),
    /** MCP servers whose tools agents may use (an agent's YAML lists them under `mcp:`). */
    mcp_servers: mcpServersSchema,
  })
  .strict();

export type HobConfig = z.infer<typeof configSchema>;
export type BudgetsConfig = HobConfig["budgets"];

/** Whether Intl knows this IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
