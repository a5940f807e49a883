import { z } from "zod";
import { TASK_STATUSES } from "../store/index.js";

/**
 * The zod schema of every JSON shape in this room, one per shape. Loaded only where
 * output is validated or described (tests, a web API, OpenAPI generation), through
 * `loadShapeSchemas()` in index.ts, so commands that merely print JSON never load zod.
 * The `to…Json` functions in serialise.ts are typed as `z.infer` of these schemas, so
 * the two cannot drift apart without tsc saying so.
 */

/** An ISO 8601 UTC timestamp as `Date.prototype.toISOString()` writes it. */
const timestamp = z.iso.datetime();

export const ErrorJsonSchema = z.strictObject({ code: z.string(), message: z.string(), hint: z.string() });

/** A task as `hob history --json` lists it and `hob show --json` starts it. */
export const TaskJsonSchema = z.strictObject({
  id: z.string(),
  created_at: timestamp,
  status: z.enum(TASK_STATUSES),
  agent: z.string(),
  tier: z.string().nullable(),
  tier_reason: z.string().nullable(),
  complexity: z.string().nullable(),
  classifier: z.string().nullable(),
  confidence: z.number().nullable(),
  escalated_from: z.string().nullable(),
  escalation_reason: z.string().nullable(),
  fallback: z.string().nullable(),
  model: z.string().nullable(),
  input: z.string(),
  output: z.string().nullable(),
  error: ErrorJsonSchema.nullable(),
  duration_ms: z.number().nullable(),
  session_id: z.string().nullable(),
  calls: z.int().nonnegative(),
  usage: z.strictObject({
    input_tokens: z.number(),
    output_tokens: z.number(),
    cache_read_tokens: z.number(),
    cache_write_tokens: z.number(),
  }),
  cost_usd: z.number(),
});

/** One model call of a task (`model_calls` in `hob show --json`). */
export const ModelCallJsonSchema = z.strictObject({
  created_at: timestamp,
  provider: z.string(),
  model: z.string(),
  tier: z.string().nullable(),
  attempt: z.int().positive(),
  ok: z.boolean(),
  error_code: z.string().nullable(),
  purpose: z.enum(["answer", "classify", "self-check"]),
  local: z.boolean(),
  cached: z.boolean(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_tokens: z.number(),
  cache_write_tokens: z.number(),
  cost_usd: z.number(),
  latency_ms: z.number(),
});

/** One tool call of a task (`steps` in `hob show --json`). */
export const StepJsonSchema = z.strictObject({
  step: z.int().nonnegative(),
  tool: z.string(),
  args: z.unknown(),
  status: z.enum(["success", "error", "denied", "awaiting_approval"]),
  result: z.string().nullable(),
  error_code: z.string().nullable(),
});

/** `hob show --json`: the task shape with its model calls and tool steps. */
const ContextSectionSchema = z.strictObject({
  section: z.string(),
  used: z.number(),
  budget: z.number(),
  included: z.array(z.string()),
  dropped: z.array(z.string()),
});

export const TaskDetailJsonSchema = TaskJsonSchema.extend({
  model_calls: z.array(ModelCallJsonSchema),
  steps: z.array(StepJsonSchema),
  /** What the model was told beyond its prompt: each context section's ids (skills by name, memories by id). */
  context: z.strictObject({ tokens: z.number(), sections: z.array(ContextSectionSchema) }).nullable(),
});

/**
 * How a run ended, as `hob run --json` (and `hob approvals approve|deny --json`) print it
 * when the task succeeded or stopped for approval (a failed run prints an error object). Built from the orchestrator's summary,
 * not from the stored row: a subset of the task shape plus `cached` and `approval`.
 */
export const RunResultJsonSchema = z.strictObject({
  id: z.string(),
  status: z.enum(["succeeded", "failed", "cancelled", "awaiting_approval"]),
  agent: z.string(),
  tier: z.string(),
  model: z.string(),
  output: z.string(),
  usage: z.strictObject({ input_tokens: z.number(), output_tokens: z.number() }),
  cost_usd: z.number(),
  cost_unknown: z.boolean().optional(),
  cached: z.boolean(),
  duration_ms: z.number(),
  escalated_from: z.string().optional(),
  approval: z.strictObject({ id: z.string(), tool: z.string(), summary: z.string(), reason: z.string() }).optional(),
  /** The task finished but could not be fully remembered (e.g. the embedder did not answer). */
  memory_warnings: z.array(z.string()).optional(),
  /** With --explain: each context section, its tokens, and what was included or cut (memories with their text). */
  context: z.unknown().optional(),
});

/** An approval (`hob approvals list|show --json`). */
export const ApprovalJsonSchema = z.strictObject({
  id: z.string(),
  /** What is approved: a tool call, or a self-improvement proposal (then `args.proposal_id` names it). */
  subject: z.enum(["tool-call", "proposal"]),
  task_id: z.string(),
  tool: z.string(),
  args: z.unknown(),
  reason: z.string(),
  status: z.enum(["pending", "approved", "denied", "used", "expired"]),
  intact: z.boolean(),
  preview: z.unknown(),
  created_at: timestamp,
  expires_at: timestamp,
  decided_at: timestamp.nullable(),
  /** Who decided: `terminal`, `cli`, `web`, …; null until someone did. */
  decided_by: z.string().nullable(),
});

/** A self-improvement proposal (`hob proposals list --json`). */
export const ProposalJsonSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(["new_skill", "skill_patch", "agent_change", "routing_change"]),
  title: z.string(),
  status: z.enum(["pending", "approved", "applied", "rejected", "failed", "rolled_back"]),
  diff_sha256: z.string(),
  files: z.array(z.string()),
  run_id: z.string().nullable(),
  task_id: z.string(),
  approval_id: z.string().nullable(),
  commit: z.string().nullable(),
  revert_commit: z.string().nullable(),
  error: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

/** One proposal in full (`hob proposals show --json`): the list shape plus what a human reads before approving. */
export const ProposalDetailJsonSchema = ProposalJsonSchema.extend({
  diff: z.string(),
  rationale: z.string(),
  evidence: z.unknown(),
  validation: z.array(z.strictObject({ check: z.string(), ok: z.boolean(), detail: z.string() })),
});

/** A file access the sandbox recorded (`hob audit --json`). */
export const AuditEntryJsonSchema = z.strictObject({
  at: timestamp,
  task_id: z.string().nullable(),
  operation: z.string(),
  path: z.string(),
  resolved: z.string().nullable(),
  allowed: z.boolean(),
  reason: z.string().nullable(),
});

/** A skill with its record (`hob skills list|show|enable|disable --json`). */
export const SkillJsonSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  kind: z.enum(["script", "instructions"]),
  language: z.string().nullable(),
  author: z.enum(["user", "agent"]),
  status: z.enum(["draft", "validated", "active", "needs_review", "disabled", "rejected"]),
  description: z.string(),
  path: z.string(),
  content_hash: z.string(),
  usage_count: z.int().nonnegative(),
  successes: z.int().nonnegative(),
  failures: z.int().nonnegative(),
  success_rate: z.number().min(0).max(1).nullable(),
  mean_duration_ms: z.number().nullable(),
  last_error: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

/** One run of a skill (`hob skills show --json` → `recent_runs`). */
export const SkillRunJsonSchema = z.strictObject({
  skill: z.string(),
  version: z.string(),
  task_id: z.string().nullable(),
  at: timestamp,
  ok: z.boolean(),
  exit_code: z.int().nullable(),
  duration_ms: z.number(),
  error: z.string().nullable(),
  /** How the task that ran it ended; null while it runs or when run by hand. */
  task_ok: z.boolean().nullable(),
});

/** A skill folder that does not load, in the shape of a skill: status `invalid`, with the reason. */
export const InvalidSkillJsonSchema = z.strictObject({
  name: z.string(),
  version: z.null(),
  kind: z.null(),
  language: z.null(),
  author: z.null(),
  status: z.literal("invalid"),
  description: z.null(),
  path: z.string(),
  error: z.string(),
});
