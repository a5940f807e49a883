import type { ModelCallRecord, TaskWithUsage } from "../store/index.js";
import { hintFor } from "./hints.js";

/** The JSON shape of a task in `hob history --json` and `hob show --json`. */
export function taskJson(task: TaskWithUsage) {
  return {
    id: task.id,
    created_at: new Date(task.createdAt).toISOString(),
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

export function callJson(call: ModelCallRecord) {
  return {
    created_at: new Date(call.createdAt).toISOString(),
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
