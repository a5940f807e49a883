import { z } from "zod";
import { PROPOSAL_STATUSES, TASK_STATUSES } from "../store/index.js";

/** Request schemas of the API: validated at the edge, and the source of the OpenAPI document at /docs. */

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

const ErrorShape = z.object({
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
  summary: z.string(),
  diff: z.string().nullable(),
  hash: z.string().describe("send it back with the decision"),
  task_id: z.string().nullable(),
  proposal_id: z.string().optional(),
});
