import type { z } from "zod";
import { hintFor } from "../errors/index.js";
import type { TaskSummary } from "../events/index.js";
import type {
  ApprovalRecord,
  AuditRecord,
  ModelCallRecord,
  ProposalRecord,
  SkillRecord,
  SkillRun,
  StepRecord,
  TaskWithUsage,
} from "../store/index.js";
import type {
  ApprovalJsonSchema,
  AuditEntryJsonSchema,
  InvalidSkillJsonSchema,
  ModelCallJsonSchema,
  ProposalDetailJsonSchema,
  ProposalJsonSchema,
  RunResultJsonSchema,
  SkillJsonSchema,
  SkillRunJsonSchema,
  StepJsonSchema,
  TaskDetailJsonSchema,
  TaskJsonSchema,
} from "./schemas.js";

// Every import above but errors is type-only: this file loads neither zod nor the store.

export type TaskJson = z.infer<typeof TaskJsonSchema>;
export type ModelCallJson = z.infer<typeof ModelCallJsonSchema>;
export type StepJson = z.infer<typeof StepJsonSchema>;
export type TaskDetailJson = z.infer<typeof TaskDetailJsonSchema>;
export type RunResultJson = z.infer<typeof RunResultJsonSchema>;
export type ApprovalJson = z.infer<typeof ApprovalJsonSchema>;
export type AuditEntryJson = z.infer<typeof AuditEntryJsonSchema>;
export type SkillJson = z.infer<typeof SkillJsonSchema>;
export type InvalidSkillJson = z.infer<typeof InvalidSkillJsonSchema>;
export type SkillRunJson = z.infer<typeof SkillRunJsonSchema>;
export type ProposalJson = z.infer<typeof ProposalJsonSchema>;
export type ProposalDetailJson = z.infer<typeof ProposalDetailJsonSchema>;

const iso = (ms: number) => new Date(ms).toISOString();

// Key order below is the order printed: keep it when adding a key (CLI output is compared byte for byte).

export function toTaskJson(task: TaskWithUsage): TaskJson {
  return {
    id: task.id,
    created_at: iso(task.createdAt),
    status: task.status,
    agent: task.agent,
    tier: task.tier,
    tier_reason: task.tierReason,
    complexity: task.complexity,
    classifier: task.classifier,
    confidence: task.confidence,
    escalated_from: task.escalatedFrom,
    escalation_reason: task.escalationReason,
    fallback: task.fallback,
    model: task.model,
    input: task.input,
    output: task.output,
    error: task.errorCode
      ? { code: task.errorCode, message: task.error ?? "", hint: hintFor(task.errorCode, undefined) }
      : null,
    duration_ms: task.durationMs,
    session_id: task.sessionId,
    calls: task.calls,
    usage: {
      input_tokens: task.inputTokens,
      output_tokens: task.outputTokens,
      cache_read_tokens: task.cacheReadTokens,
      cache_write_tokens: task.cacheWriteTokens,
    },
    cost_usd: task.costUsd,
  };
}

export function toModelCallJson(call: ModelCallRecord): ModelCallJson {
  return {
    created_at: iso(call.createdAt),
    provider: call.provider,
    model: call.model,
    tier: call.tier,
    attempt: call.attempt,
    ok: call.ok,
    error_code: call.errorCode,
    purpose: call.purpose ?? "answer",
    local: call.local ?? false,
    cached: call.cached ?? false,
    input_tokens: call.inputTokens,
    output_tokens: call.outputTokens,
    cache_read_tokens: call.cacheReadTokens,
    cache_write_tokens: call.cacheWriteTokens,
    cost_usd: call.costUsd,
    latency_ms: call.latencyMs,
  };
}

export function toStepJson(step: StepRecord): StepJson {
  return {
    step: step.step,
    tool: step.tool,
    args: step.args,
    status: step.status,
    result: step.result,
    error_code: step.errorCode,
  };
}

export function toTaskDetailJson(task: TaskWithUsage, calls: ModelCallRecord[], steps: StepRecord[]): TaskDetailJson {
  return {
    ...toTaskJson(task),
    model_calls: calls.map(toModelCallJson),
    steps: steps.map(toStepJson),
    context: task.context,
  };
}

/**
 * How a run ended, from the orchestrator's summary. `error` is left out (a failed run
 * prints an error object instead); `approval` is kept only while the task waits for one.
 */
export function toRunResultJson(result: TaskSummary): RunResultJson {
  if (result.status === "awaiting_approval") {
    const { error: _none, ...rest } = result;
    return rest;
  }
  const { error: _none, approval: _no, ...rest } = result;
  return rest;
}

export function toApprovalJson(a: ApprovalRecord): ApprovalJson {
  return {
    id: a.id,
    subject: a.subjectKind,
    task_id: a.taskId,
    tool: a.tool,
    args: a.args,
    reason: a.reason,
    status: a.status,
    intact: a.intact,
    preview: a.preview,
    created_at: iso(a.createdAt),
    expires_at: iso(a.expiresAt),
    decided_at: a.decidedAt === null ? null : iso(a.decidedAt),
    decided_by: a.decidedBy,
  };
}

export function toProposalJson(p: ProposalRecord): ProposalJson {
  return {
    id: p.id,
    kind: p.kind,
    title: p.title,
    status: p.status,
    diff_sha256: p.diffSha256,
    files: p.files,
    run_id: p.runId,
    task_id: p.taskId,
    approval_id: p.approvalId,
    commit: p.commitSha,
    revert_commit: p.revertSha,
    error: p.error,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export function toProposalDetailJson(p: ProposalRecord): ProposalDetailJson {
  return { ...toProposalJson(p), diff: p.diff, rationale: p.rationale, evidence: p.evidence, validation: p.validation };
}

export function toAuditEntryJson(e: AuditRecord): AuditEntryJson {
  return {
    at: iso(e.at),
    task_id: e.taskId,
    operation: e.operation,
    path: e.path,
    resolved: e.resolved,
    allowed: e.allowed,
    reason: e.reason,
  };
}

export function toSkillJson(r: SkillRecord): SkillJson {
  return {
    name: r.name,
    version: r.version,
    kind: r.kind,
    language: r.language,
    author: r.author,
    status: r.status,
    description: r.description,
    path: r.path,
    content_hash: r.contentHash,
    usage_count: r.usageCount,
    successes: r.successes,
    failures: r.failures,
    success_rate: r.usageCount === 0 ? null : Math.round((r.successes / r.usageCount) * 1000) / 1000,
    mean_duration_ms: r.meanDurationMs === null ? null : Math.round(r.meanDurationMs),
    last_error: r.lastError,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

export function toSkillRunJson(run: SkillRun): SkillRunJson {
  return {
    skill: run.skill,
    version: run.version,
    task_id: run.taskId,
    at: iso(run.at),
    ok: run.ok,
    exit_code: run.exitCode,
    duration_ms: run.durationMs,
    error: run.error,
    task_ok: run.taskOk ?? null,
  };
}

/** A skill folder that does not load (the skills room's `InvalidSkill`, structurally). */
export function toInvalidSkillJson(i: { name: string; path: string; error: string }): InvalidSkillJson {
  return {
    name: i.name,
    version: null,
    kind: null,
    language: null,
    author: null,
    status: "invalid",
    description: null,
    path: i.path,
    error: i.error,
  };
}

type ListedSkill =
  | { name: string; record: SkillRecord }
  | { name: string; invalid: { name: string; path: string; error: string } };

/** The skills as listed (`hob skills list`, `GET /api/skills`): loaded ones and folders that do not load, by name. */
export function listedSkills(
  records: SkillRecord[],
  invalid: Array<{ name: string; path: string; error: string }>,
): ListedSkill[] {
  const invalidNames = new Set(invalid.map((i) => i.name));
  return [
    ...records.filter((r) => !invalidNames.has(r.name)).map((record) => ({ name: record.name, record })),
    ...invalid.map((i) => ({ name: i.name, invalid: i })),
  ].sort((a, b) => a.name.localeCompare(b.name));
}

/** `hob skills list --json` and `GET /api/skills`. */
export function toSkillListJson(
  records: SkillRecord[],
  invalid: Array<{ name: string; path: string; error: string }>,
): Array<SkillJson | InvalidSkillJson> {
  return listedSkills(records, invalid).map((row) =>
    "record" in row ? toSkillJson(row.record) : toInvalidSkillJson(row.invalid),
  );
}
