import type { HobEvent, TaskSummary } from "../events/index.js";
import type { RoutedAttempt } from "../models/index.js";
import type { Store } from "../store/index.js";

export type CallPurpose = "answer" | "classify" | "self-check";

/**
 * Records every model attempt of a task (a `model_calls` row and a `model-call`
 * event) and remembers which deployment answered last and which attempts failed.
 */
export class CallRecorder {
  served: { tier: string; model: string; cached: boolean } | undefined;
  readonly failures: RoutedAttempt[] = [];

  constructor(
    private readonly store: Store,
    private readonly taskId: string,
    private readonly emit: (event: HobEvent) => void,
    private readonly now: () => number,
  ) {}

  for(purpose: CallPurpose): (attempt: RoutedAttempt) => void {
    return (attempt) => {
      if (!attempt.ok) this.failures.push(attempt);
      else if (purpose === "answer")
        this.served = { tier: attempt.modelName, model: attempt.model, cached: attempt.cached };
      this.store.modelCalls.insert({
        taskId: this.taskId,
        createdAt: this.now(),
        provider: attempt.provider,
        model: attempt.model,
        tier: attempt.modelName,
        attempt: attempt.attempt,
        inputTokens: attempt.usage.inputTokens,
        outputTokens: attempt.usage.outputTokens,
        cacheReadTokens: attempt.usage.cacheReadTokens,
        cacheWriteTokens: attempt.usage.cacheWriteTokens,
        costUsd: attempt.costUsd ?? 0,
        ...(attempt.costUsd === null ? { costUnknown: true } : {}),
        latencyMs: attempt.latencyMs,
        ok: attempt.ok,
        errorCode: attempt.errorCode ?? null,
        local: attempt.local,
        cached: attempt.cached,
        purpose,
      });
      this.emit({
        type: "model-call",
        taskId: this.taskId,
        provider: attempt.provider,
        model: attempt.model,
        modelName: attempt.modelName,
        purpose,
        local: attempt.local,
        cached: attempt.cached,
        usage: {
          input_tokens: attempt.usage.inputTokens,
          output_tokens: attempt.usage.outputTokens,
          cache_read_tokens: attempt.usage.cacheReadTokens,
          cache_write_tokens: attempt.usage.cacheWriteTokens,
        },
        costUsd: attempt.costUsd,
        latencyMs: attempt.latencyMs,
        ok: attempt.ok,
        ...(attempt.errorCode ? { errorCode: attempt.errorCode } : {}),
      });
    };
  }
}

/** The task's result as `hob run --json` prints it; totals come from the store, so they span resumes. */
export function summarise(
  store: Store,
  taskId: string,
  fields: Pick<TaskSummary, "status" | "output" | "duration_ms"> & Partial<TaskSummary>,
  served: CallRecorder["served"],
): TaskSummary {
  const task = store.tasks.getWithUsage(taskId);
  return {
    id: taskId,
    agent: task.agent,
    tier: served?.tier ?? task.tier ?? "",
    model: served?.model ?? task.model ?? "",
    usage: {
      input_tokens: task.inputTokens + task.cacheReadTokens + task.cacheWriteTokens,
      output_tokens: task.outputTokens,
    },
    cost_usd: Math.round(task.costUsd * 1e9) / 1e9,
    ...(task.costUnknown ? { cost_unknown: true } : {}),
    cached: served?.cached ?? false,
    ...(task.escalatedFrom ? { escalated_from: task.escalatedFrom } : {}),
    ...fields,
  };
}
