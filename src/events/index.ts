/**
 * The one typed union of events that flows from the orchestrator to the CLI,
 * later to WebSocket clients and logs. Names are noun-verb, kebab-case.
 * This room depends on nothing else of ours.
 */

export interface EventUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
}

export interface EventError {
  code: string;
  message: string;
  hint?: string;
}

export interface TaskSummary {
  id: string;
  status: "succeeded" | "failed" | "cancelled" | "awaiting_approval";
  agent: string;
  tier: string;
  model: string;
  output: string;
  usage: { input_tokens: number; output_tokens: number };
  cost_usd: number;
  /** A model with no known price answered: cost_usd leaves its calls out (unknown, not free). */
  cost_unknown?: boolean;
  cached: boolean;
  duration_ms: number;
  /** The tier that first answered, when its answer looked unreliable and a higher tier took over. */
  escalated_from?: string;
  /** When the task stopped for a human: the approval to decide (`hob approvals approve <id>`). */
  approval?: { id: string; tool: string; summary: string; reason: string };
  error?: EventError;
}

export type ToolCallState = "executing" | "success" | "error" | "denied" | "awaiting_approval";

export type HobEvent =
  | {
      type: "task-started";
      taskId: string;
      input: string;
      agent: string;
      tier: string;
      model: string;
      /** Why this tier was chosen, in words a user can check. */
      reason: string;
      classifier: string;
      confidence: number;
      at: number;
    }
  | { type: "text-delta"; taskId: string; text: string }
  | {
      type: "model-retry";
      taskId: string;
      attempt: number;
      delayMs: number;
      error: EventError;
    }
  | {
      /** A model group failed and its fallback takes over (e.g. Ollama down: local-fast → fast). */
      type: "model-fallback";
      taskId: string;
      from: string;
      to: string;
      error: EventError;
    }
  | {
      /** A local answer looked unreliable; the task is re-run on the next tier. */
      type: "task-escalated";
      taskId: string;
      from: string;
      to: string;
      reason: string;
    }
  | {
      type: "model-call";
      taskId: string;
      provider: string;
      model: string;
      /** The model group (tier) the call was made for. */
      modelName: string;
      purpose: "answer" | "classify" | "self-check";
      local: boolean;
      cached: boolean;
      usage: EventUsage;
      /** null: a remote model with no known price. */
      costUsd: number | null;
      latencyMs: number;
      ok: boolean;
      errorCode?: string;
    }
  | {
      /** A tool call's state changes: executing → success | error | denied | awaiting_approval. */
      type: "tool-call";
      taskId: string;
      step: number;
      callId: string;
      tool: string;
      args: unknown;
      state: ToolCallState;
      summary?: string;
      error?: EventError;
    }
  | {
      type: "approval-requested";
      taskId: string;
      approvalId: string;
      tool: string;
      summary: string;
      reason: string;
      diff?: string;
    }
  | { type: "task-paused"; taskId: string; result: TaskSummary }
  | { type: "task-finished"; taskId: string; result: TaskSummary }
  | { type: "task-failed"; taskId: string; error: EventError; result: TaskSummary };

export type HobEventType = HobEvent["type"];

export type EventListener = (event: HobEvent) => void;

/** A tiny fan-out bus: the orchestrator emits, the CLI (and later the dashboard) listen. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: HobEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
