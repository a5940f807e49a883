import type { TaskSummary } from "../events/index.js";
import type { Store } from "../store/index.js";

/** Which deployment answered last. */
export interface Served {
  tier: string;
  model: string;
  cached: boolean;
}

/** The task's result as `hob run --json` prints it; totals come from the store, so they span resumes. */
export function summarise(
  store: Store,
  taskId: string,
  fields: Pick<TaskSummary, "status" | "output" | "duration_ms"> & Partial<TaskSummary>,
  served: Served | undefined,
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
