import { z } from "zod";
import type {
  InvalidSkillJson,
  ProposalDetailJson,
  ProposalJson,
  SkillJson,
  TaskDetailJson,
  TaskJson,
} from "../shapes/index.js";
import { PROPOSAL_STATUSES, TASK_STATUSES } from "../store/index.js";

/**
 * The API's schemas: requests validated at the edge, and the answers' shapes. They are the
 * source of the OpenAPI document at /docs and, through `import type` (erased: the page bundles
 * no zod), of the dashboard's types in ui/src/types.ts. The records hob also prints with
 * `--json` (a task, a proposal, a skill) have their schemas in src/shapes; their types are
 * re-exported at the end of this file.
 */

export const ID = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "an id is letters, digits, - and _ (at most 64)")
  .describe("a full id");

export const IdParams = z.strictObject({ id: ID });

export const TaskListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, "a cursor is the `next` value of the previous page")
    .optional()
    .describe("the `next` value of the previous page"),
  status: z.enum(TASK_STATUSES).optional(),
});

export const ProposalListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  status: z.enum(PROPOSAL_STATUSES).optional(),
});

const SINCE = z
  .string()
  .max(64)
  .optional()
  .describe("a window like 30m, 24h, 7d or 4w, a date like 2026-11-01, or all (the default)");

export const StatsQuery = z.strictObject({ since: SINCE });

export const SeriesQuery = z.strictObject({
  since: z
    .string()
    .max(64)
    .default("30d")
    .describe("a window like 24h, 7d or 30d, or a date like 2026-11-01 (default 30d)"),
  bucket: z.enum(["hour", "day"]).default("day"),
});

export const SessionListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const CreateTaskBody = z.strictObject({
  input: z.string().trim().min(1, "the task is empty").max(100_000),
  agent: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "an agent name is lowercase letters, digits, - and _")
    .optional(),
  tier: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,64}$/, "a tier is a model_name of litellm.yaml")
    .optional(),
  session_id: ID.optional().describe("a chat session to continue, with its answered turns as context"),
});

export const DecisionBody = z.strictObject({
  decision: z.enum(["approve", "deny"]),
  hash: z.string().regex(/^[0-9a-f]{64}$/, "the hash is the 64 hex digits the approval was shown with"),
});

export const SessionBody = z.strictObject({ token: z.string().min(1).max(512) });

export const ResumeMessage = z.strictObject({
  resume: z.strictObject({ task_id: ID, after_seq: z.number().int().min(0) }),
});

export const ErrorShape = z.object({
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }),
});

/** Documented answers shared by every authenticated route. */
export const AUTH_ERRORS = {
  400: ErrorShape.describe("invalid request (the message says which field)"),
  401: ErrorShape.describe("no valid bearer token or session cookie"),
  403: ErrorShape.describe("foreign Origin, cross-site request or missing CSRF header"),
};

/** Response shapes of the seams scripts rely on (loose: the full task JSON is `hob run --json`'s, documented in the README). */
export const TaskPage = z.object({
  items: z.array(
    z.looseObject({ id: z.string(), status: z.enum(TASK_STATUSES), created_at: z.string(), input: z.string() }),
  ),
  next: z.string().nullable().describe("the cursor of the next page, or null on the last"),
});

export const ApprovalItem = z.looseObject({
  id: z.string(),
  kind: z.enum(["tool", "proposal"]),
  tool: z.string(),
  summary: z.string(),
  diff: z.string().nullable(),
  hash: z.string().describe("send it back with the decision"),
  reason: z.string(),
  task_id: z.string().nullable(),
  proposal_id: z.string().optional(),
  intact: z.boolean().describe("false when the approved action's arguments no longer match the hash"),
  created_at: z.string(),
  expires_at: z.string(),
});

const TokenTotals = z.object({
  calls: z.number(),
  failed_calls: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_tokens: z.number(),
  cache_write_tokens: z.number(),
  cost_usd: z.number(),
  cost_unknown_calls: z.number().describe("calls to a remote model with no known price, left out of cost_usd"),
});

const TokenSplit = z.object({ calls: z.number(), input_tokens: z.number(), output_tokens: z.number() });

/** GET /api/stats: what `hob stats --json` prints. */
const BudgetLineJson = z.object({
  limit_usd: z.number(),
  spent_usd: z.number(),
  reserved_usd: z.number().describe("worst cases held by calls in flight"),
  remaining_usd: z.number(),
  share: z.number().describe("spent / limit"),
  warning: z.boolean().describe("share is at or past warn_share"),
});
const PeriodBudgetJson = BudgetLineJson.extend({ period_start: z.string(), resets_at: z.string() });
const BudgetsJson = z.object({
  timezone: z.string(),
  warn_share: z.number(),
  daily: PeriodBudgetJson.nullable(),
  monthly: PeriodBudgetJson.nullable(),
  per_task: BudgetLineJson.extend({
    task_id: z.string().nullable().describe("this month's costliest task"),
    stopped_tasks: z.number().describe("tasks this month a budget stopped (E_BUDGET)"),
  }).nullable(),
});

export const StatsJson = z.object({
  since: z.string().nullable(),
  tasks: z.object({
    total: z.number(),
    succeeded: z.number(),
    failed: z.number(),
    cancelled: z.number(),
    interrupted: z.number(),
    running: z.number(),
    awaiting_approval: z.number(),
    success_rate: z.number().nullable(),
    cost_unknown: z.number().describe("tasks with at least one call of unknown cost"),
  }),
  totals: TokenTotals,
  by_model: z.array(TokenTotals.extend({ provider: z.string(), model: z.string() })),
  by_tier: z.array(
    TokenTotals.extend({
      tier: z.string(),
      tasks: z.number(),
      succeeded: z.number(),
      success_rate: z.number().nullable(),
    }),
  ),
  routing: z.object({
    local: TokenSplit,
    cloud: TokenSplit,
    cached: TokenSplit,
    local_call_share: z.number().nullable(),
    local_token_share: z.number().nullable(),
    cache_hits: z.number(),
    escalations: z.number(),
    fallbacks: z.number(),
    router_calls: z.number(),
    saved_usd: z.number().nullable(),
    counterfactual_model: z.string().nullable(),
  }),
  budgets: BudgetsJson.optional().describe(
    "spend against each budget of hob.yaml's budgets: (the current day and month, whatever since says); null where no limit is set",
  ),
});

/** GET /api/stats/series: one point per bucket (UTC), every bucket present. */
export const SeriesJson = z.object({
  bucket: z.enum(["hour", "day"]),
  items: z.array(
    z.object({
      start: z.string().describe("the bucket's start, ISO 8601"),
      tasks: z.number(),
      succeeded: z.number(),
      failed: z.number(),
      cost_usd: z.number(),
      local_calls: z.number(),
      cloud_calls: z.number(),
      cached_calls: z.number(),
    }),
  ),
});

/** GET /api/sessions. */
export const ChatSessionList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      created_at: z.string(),
      last_at: z.string(),
      turns: z.number(),
      title: z.string().nullable().describe("the first turn's input, shortened"),
    }),
  ),
});

/** GET /api/sessions/:id: the turns, oldest first. */
export const ChatSessionDetail = z.object({
  id: z.string(),
  turns: z.array(
    z.object({
      task_id: z.string(),
      input: z.string(),
      output: z.string().nullable(),
      status: z.string(),
      created_at: z.string(),
    }),
  ),
});

/** Why memory answered with less than it could (e.g. the embedder is down: full-text only). */
export const MemoryWarningJson = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });

const MEMORY_KIND = z.enum(["task", "fact", "note"]);

/** GET /api/memory/search: what would be recalled, best first, with each signal's score. */
export const MemorySearchJson = z.object({
  mode: z.enum(["hybrid", "full-text"]),
  warnings: z.array(MemoryWarningJson),
  items: z.array(
    z.object({
      id: z.string(),
      kind: MEMORY_KIND,
      text: z.string(),
      score: z.number(),
      signals: z.object({
        rrf: z.number(),
        fts_rank: z.number().nullable(),
        bm25: z.number().nullable(),
        vector_rank: z.number().nullable(),
        cosine: z.number().nullable(),
        recency: z.number(),
        outcome: z.number(),
      }),
      metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      task_id: z.string().nullable(),
      success: z.boolean().nullable(),
      created_at: z.string(),
    }),
  ),
});

/** POST /api/memory. */
export const MemoryAdded = z.object({ id: z.string(), warnings: z.array(MemoryWarningJson) });

/** GET /api/tasks/:id/recalled: the memories a task's context held; one forgotten since has nulls. */
export const RecalledList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      section: z.string(),
      kind: MEMORY_KIND.nullable(),
      text: z.string().nullable(),
      created_at: z.string().nullable(),
      task_id: z.string().nullable(),
      success: z.boolean().nullable(),
    }),
  ),
});

/** The records the API shares with `hob … --json` (schemas in src/shapes/schemas.ts). */
export type { InvalidSkillJson, ProposalDetailJson, ProposalJson, SkillJson, TaskDetailJson, TaskJson };

/** GET /api/tasks as the page reads it: `TaskPage`, each item the full task shape. */
export type TaskListJson = Omit<z.output<typeof TaskPage>, "items"> & { items: TaskJson[] };
