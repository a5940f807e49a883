/**
 * The one typed union of events that flows out of a task: to the recorder (which
 * writes the rows), the CLI's rendering, the in-process bus (a WebSocket subscribes
 * there) and logs. Type names are noun-verb, kebab-case; fields are snake_case, as
 * the JSON output is. Every event carries its task's id and a sequence number that
 * grows by one per event of that task, across pauses and resumes, so a client that
 * reconnects asks for what came after the last number it saw.
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
  /** The task finished but could not be fully remembered (e.g. the embedder did not answer). */
  memory_warnings?: string[];
}

export type ToolCallState = "executing" | "success" | "error" | "denied" | "awaiting_approval";

export type ModelCallPurpose = "answer" | "classify" | "self-check";

/** Who decided an approval: `terminal` (the prompt during a run), `cli`, `web`, … */
export type Decider = string;

/** The events as their sources say them; the task stream adds `seq`, `task_id` and `at`. */
export type TaskEventBody =
  | {
      /** The task exists: its row is written. Always the first event of a task (seq 1). */
      type: "task-created";
      input: string;
      session_id: string | null;
      workspace: string;
    }
  | {
      /** Routing decided agent and tier; the agent starts. */
      type: "task-started";
      input: string;
      agent: string;
      tier: string;
      model: string;
      /** Why this tier was chosen, in words a user can check. */
      reason: string;
      classifier: string;
      /** null when nothing was classified (agent and tier forced). */
      confidence: number | null;
      complexity: string | null;
    }
  | {
      /** A human decided the approval the task waited for; it runs again. */
      type: "task-resumed";
    }
  | {
      /** The context sources' pieces packed into the model's prompt: what fit each section's budget, what did not. */
      type: "context-packed";
      tokens: number;
      sections: Array<{ section: string; used: number; budget: number; included: string[]; dropped: string[] }>;
      /** Sources that failed (they added nothing; the task goes on). */
      warnings: Array<{ source: string; code: string; message: string }>;
    }
  | { type: "text-delta"; text: string }
  | {
      type: "model-retry";
      attempt: number;
      delay_ms: number;
      error: EventError;
    }
  | {
      /** A model group failed and its fallback takes over (e.g. Ollama down: local-fast → fast). */
      type: "model-fallback";
      from: string;
      to: string;
      error: EventError;
    }
  | {
      /** A local answer looked unreliable; the task is re-run on the next tier. */
      type: "task-escalated";
      from: string;
      to: string;
      /** The model that gave the unreliable answer. */
      model: string;
      reason: string;
    }
  | {
      type: "model-call";
      provider: string;
      model: string;
      /** The model group (tier) the call was made for. */
      model_name: string;
      attempt: number;
      purpose: ModelCallPurpose;
      local: boolean;
      cached: boolean;
      usage: EventUsage;
      /** null: a remote model with no known price. */
      cost_usd: number | null;
      latency_ms: number;
      ok: boolean;
      error_code?: string;
    }
  | {
      /** A tool call's state changes: executing → success | error | denied | awaiting_approval. */
      type: "tool-call";
      step: number;
      call_id: string;
      tool: string;
      args: unknown;
      state: ToolCallState;
      /** The start of the output (for a glance); `output` has all of it once the call ended. */
      summary?: string;
      output?: string;
      started_at?: number;
      duration_ms?: number;
      error?: EventError;
    }
  | {
      type: "approval-requested";
      approval_id: string;
      /** What is approved: a tool call of this task, or a self-improvement proposal (call_id is its id). */
      subject: "tool-call" | "proposal";
      call_id: string;
      tool: string;
      /** The call exactly as it will run, and what the approval's hash covers. */
      args: unknown;
      hash: string;
      summary: string;
      /** Resolved paths or URLs the action touches. */
      targets: string[];
      reason: string;
      diff?: string;
      expires_at: number;
      /** True when a human is being asked right now (a terminal prompt); false: the task will pause. */
      interactive: boolean;
    }
  | {
      type: "approval-decided";
      approval_id: string;
      decision: "approved" | "denied";
      decided_by: Decider;
    }
  | {
      /** An approved action ran: the approval is spent (single use). */
      type: "approval-used";
      approval_id: string;
    }
  | { type: "task-paused"; result: TaskSummary }
  | { type: "task-finished"; result: TaskSummary; fallback?: string }
  | { type: "task-failed"; error: EventError; result: TaskSummary };

/** An event as listeners receive it. */
export type HobEvent = TaskEventBody & {
  task_id: string;
  /** 1, 2, 3, … per task, never reused, across resumes. */
  seq: number;
  /** Milliseconds since the epoch. */
  at: number;
};

export type HobEventType = HobEvent["type"];

export type EventListener = (event: HobEvent) => void;

/**
 * The in-process fan-out: every task's events, after they are recorded. It keeps the
 * last events of recent tasks so a listener that (re)subscribes can catch up from a
 * sequence number (`since`) instead of missing what happened while it was away.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly recent = new Map<string, HobEvent[]>();

  constructor(
    private readonly options: {
      keepTasks?: number;
      keepEventsPerTask?: number;
      /** Where a failing listener is reported (default: a process warning); it never stops a task. */
      onListenerError?: (error: unknown, event: HobEvent) => void;
    } = {},
  ) {}

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: HobEvent): void {
    this.remember(event);
    // A failing listener (a closed socket, a broken log) must not stop the others or the task: it is reported.
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        const report =
          this.options.onListenerError ??
          ((e: unknown) => process.emitWarning(`An event listener failed on ${event.type}: ${String(e)}`));
        report(error, event);
      }
    }
  }

  /** The remembered events of a task after `seq` (all of them for 0), oldest first. */
  since(taskId: string, seq: number): HobEvent[] {
    return (this.recent.get(taskId) ?? []).filter((event) => event.seq > seq);
  }

  private remember(event: HobEvent): void {
    let events = this.recent.get(event.task_id);
    if (!events) {
      if (this.recent.size >= (this.options.keepTasks ?? 50)) {
        const oldest = this.recent.keys().next().value as string;
        this.recent.delete(oldest);
      }
      events = [];
      this.recent.set(event.task_id, events);
    }
    events.push(event);
    const keep = this.options.keepEventsPerTask ?? 2000;
    if (events.length > keep) events.splice(0, events.length - keep);
  }
}
