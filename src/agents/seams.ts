import type { TaskEventBody } from "../events/index.js";
import type { RoutedAttempt } from "../models/index.js";
import type { ActionPreview, Tool, ToolContext } from "../tools/index.js";

/**
 * The narrow interfaces the agent loop depends on. It never sees the store or the
 * sandbox: tools reach files through `ToolContext.fs`, approvals through the gate,
 * models through the model client, and everything it does comes out as events.
 */

/** What the loop asks before a tool call runs. */
export interface ApprovalGate {
  check(request: {
    taskId: string;
    callId: string;
    tool: string;
    args: unknown;
    preview: ActionPreview;
    situations: Awaited<ReturnType<Tool["assess"]>>["situations"];
    fingerprint: string;
    sensitive: boolean;
    agentRules: Record<string, "allow" | "ask" | "deny">;
    remember?: () => void;
  }): Promise<
    | { kind: "run" }
    | { kind: "denied"; message: string }
    | { kind: "pause"; approval: { id: string; tool: string; summary: string; reason: string } }
  >;
}

/** The tools a task may offer, by the name the model sees (built-ins, skills, MCP servers). */
export interface ToolLookup {
  get(name: string): Tool<never> | undefined;
}

export type { ToolContext };

/** A model attempt as the event every listener and the recorder receive. */
export function modelCallEvent(
  attempt: RoutedAttempt,
  purpose: "answer" | "classify" | "self-check",
): TaskEventBody & { type: "model-call" } {
  return {
    type: "model-call",
    provider: attempt.provider,
    model: attempt.model,
    model_name: attempt.modelName,
    attempt: attempt.attempt,
    purpose,
    local: attempt.local,
    cached: attempt.cached,
    usage: {
      input_tokens: attempt.usage.inputTokens,
      output_tokens: attempt.usage.outputTokens,
      cache_read_tokens: attempt.usage.cacheReadTokens,
      cache_write_tokens: attempt.usage.cacheWriteTokens,
    },
    cost_usd: attempt.costUsd,
    latency_ms: attempt.latencyMs,
    ok: attempt.ok,
    ...(attempt.errorCode ? { error_code: attempt.errorCode } : {}),
  };
}
