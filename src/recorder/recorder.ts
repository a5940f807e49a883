import { HobError } from "../errors/index.js";
import type { EventBus, HobEvent, TaskEventBody } from "../events/index.js";
import { newId, type Store } from "../store/index.js";

/** How often streamed text is saved, so a crash keeps what the user already saw. */
const PROGRESS_SAVE_MS = 250;
/** What a step row keeps of a tool's output (and so what its event carries). */
export const STEP_OUTPUT_LIMIT = 4000;

type Listener = (event: HobEvent) => void;

/**
 * The only writer of task, step, model-call and approval rows. Everything that
 * happens to a task is published on its stream as an event; the stream stamps it
 * (task id, sequence number, time), writes the rows it stands for in one transaction,
 * and only then hands it to the task's listeners and the event bus. So an event that
 * was not recorded never reaches a listener, and no row is written without an event.
 */
export class Recorder {
  private readonly streams = new Map<string, TaskStream>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly bus?: EventBus,
  ) {}

  /**
   * A new task: its stream, whose first event (`task-created`) writes the task's row.
   * `listener` hears every event from that first one on, until `detach`.
   */
  create(
    task: { input: string; sessionId?: string; workspace: string },
    listener?: Listener,
  ): { stream: TaskStream; detach: () => void } {
    const taskId = newId(this.now());
    const stream = new TaskStream(this.store, taskId, 0, this.now, this.bus, () => this.streams.delete(taskId));
    this.streams.set(taskId, stream);
    const detach = listener ? stream.listen(listener) : () => undefined;
    stream.publish({
      type: "task-created",
      input: task.input,
      session_id: task.sessionId ?? null,
      workspace: task.workspace,
    });
    return { stream, detach };
  }

  /** The stream of an existing task; its sequence continues from the last recorded event. */
  stream(taskId: string): TaskStream {
    let stream = this.streams.get(taskId);
    if (!stream) {
      const lastSeq = this.store.tasks.get(taskId).lastSeq;
      stream = new TaskStream(this.store, taskId, lastSeq, this.now, this.bus, () => this.streams.delete(taskId));
      this.streams.set(taskId, stream);
    }
    return stream;
  }
}

/** One task's events, in order. */
export class TaskStream {
  private readonly listeners = new Set<Listener>();
  /** Text streamed since the task (re)started, saved now and then for crash safety. */
  private progress = "";
  private lastProgressSave = 0;
  private readonly write: (event: HobEvent) => void;

  constructor(
    private readonly store: Store,
    readonly taskId: string,
    private seq: number,
    private readonly now: () => number,
    private readonly bus?: EventBus,
    /** Called when the task stops (finished, failed or paused): a long-running server does not keep its stream. */
    private readonly ended: () => void = () => undefined,
  ) {
    this.write = store.db.transaction((event: HobEvent) => {
      if (writeRows(store, event, this)) store.tasks.setLastSeq(taskId, event.seq);
    });
  }

  /** Hears this task's events (e.g. the CLI's rendering) until the returned function is called. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Records the event, then tells the listeners. Returns the event as they received it. */
  publish(body: TaskEventBody): HobEvent {
    const event = { ...body, task_id: this.taskId, seq: this.seq + 1, at: this.now() } as HobEvent;
    this.write(event);
    this.seq = event.seq;
    for (const listener of this.listeners) listener(event);
    this.bus?.emit(event);
    // Its sequence number is in the database: a later event (a decision, a resume) opens a new stream from it.
    if (event.type === "task-finished" || event.type === "task-failed" || event.type === "task-paused") this.ended();
    return event;
  }

  /** Saves where a paused task stands (the conversation and the calls still to run), to resume it later. */
  checkpoint(state: unknown): void {
    this.store.approvals.saveState(this.taskId, state);
  }

  /** The saved state of a paused task, if any. */
  savedState(): unknown {
    return this.store.approvals.loadState(this.taskId);
  }

  /** Text deltas are not rows; the text so far is saved at most every PROGRESS_SAVE_MS. Returns whether it saved. */
  saveProgress(event: HobEvent & { type: "text-delta" }): boolean {
    this.progress += event.text;
    if (event.at - this.lastProgressSave < PROGRESS_SAVE_MS) return false;
    this.lastProgressSave = event.at;
    this.store.tasks.saveProgress(this.taskId, this.progress);
    return true;
  }
}

/**
 * The rows an event stands for. Returns false for an event that changes no row (the
 * sequence number is then saved with the next one that does).
 */
function writeRows(store: Store, event: HobEvent, stream: TaskStream): boolean {
  const taskId = event.task_id;
  switch (event.type) {
    case "task-created":
      store.tasks.create({
        id: taskId,
        createdAt: event.at,
        input: event.input,
        workspace: event.workspace,
        ...(event.session_id ? { sessionId: event.session_id } : {}),
      });
      return true;
    case "task-started":
      store.tasks.setRoute(taskId, {
        agent: event.agent,
        tier: event.tier,
        model: event.model,
        reason: event.reason,
        complexity: event.complexity,
        classifier: event.classifier,
        confidence: event.confidence,
      });
      return true;
    case "task-resumed":
      store.tasks.setStatus(taskId, "running");
      return true;
    case "text-delta":
      return stream.saveProgress(event);
    case "context-packed":
      store.tasks.setContext(taskId, { tokens: event.tokens, sections: event.sections });
      return true;
    case "model-retry":
    case "model-fallback":
      return false;
    case "task-escalated":
      store.tasks.setServed(taskId, {
        tier: event.from,
        model: event.model,
        escalatedFrom: event.from,
        escalationReason: event.reason,
      });
      return true;
    case "model-call":
      store.modelCalls.insert({
        taskId,
        createdAt: event.at,
        provider: event.provider,
        model: event.model,
        tier: event.model_name,
        attempt: event.attempt,
        inputTokens: event.usage.input_tokens,
        outputTokens: event.usage.output_tokens,
        cacheReadTokens: event.usage.cache_read_tokens,
        cacheWriteTokens: event.usage.cache_write_tokens,
        costUsd: event.cost_usd ?? 0,
        ...(event.cost_usd === null ? { costUnknown: true } : {}),
        latencyMs: event.latency_ms,
        ok: event.ok,
        errorCode: event.error_code ?? null,
        local: event.local,
        cached: event.cached,
        purpose: event.purpose,
      });
      return true;
    case "tool-call":
      if (event.state === "executing") return false;
      store.steps.insert({
        taskId,
        step: event.step,
        tool: event.tool,
        callId: event.call_id,
        args: event.args,
        status: event.state,
        result: event.output ?? null,
        errorCode: event.error?.code ?? null,
        createdAt: event.started_at ?? event.at,
        durationMs: event.duration_ms ?? null,
      });
      return true;
    case "approval-requested":
      store.approvals.insert({
        id: event.approval_id,
        subjectKind: event.subject,
        taskId,
        callId: event.call_id,
        tool: event.tool,
        args: event.args,
        hash: event.hash,
        preview: {
          tool: event.tool,
          summary: event.summary,
          targets: event.targets,
          ...(event.diff !== undefined ? { diff: event.diff } : {}),
        },
        reason: event.reason,
        createdAt: event.at,
        expiresAt: event.expires_at,
      });
      return true;
    case "approval-decided":
      if (!store.approvals.setDecision(event.approval_id, event.decision, event.decided_by, event.at)) {
        throw stale(event.approval_id, "decided");
      }
      return true;
    case "approval-used":
      if (!store.approvals.markUsed(event.approval_id)) throw stale(event.approval_id, "used");
      return true;
    case "task-paused":
      store.tasks.setStatus(taskId, "awaiting_approval", event.result.output);
      return true;
    case "task-finished":
      store.tasks.setServed(taskId, {
        tier: event.result.tier,
        model: event.result.model,
        ...(event.fallback ? { fallback: event.fallback } : {}),
      });
      store.tasks.finish(taskId, {
        status: "succeeded",
        output: event.result.output,
        durationMs: event.result.duration_ms,
      });
      store.skills.setTaskOutcome(taskId, true);
      store.approvals.clearState(taskId);
      return true;
    case "task-failed":
      store.tasks.finish(taskId, {
        status: event.result.status === "cancelled" ? "cancelled" : "failed",
        output: event.result.output,
        error: event.error,
        durationMs: event.result.duration_ms,
      });
      store.skills.setTaskOutcome(taskId, false);
      store.approvals.clearState(taskId);
      return true;
  }
}

/** Another process changed the approval between the owner's check and this write (two people deciding at once). */
function stale(id: string, what: string): HobError {
  return new HobError("E_APPROVAL", `Approval ${id} changed while it was being ${what}.`, {
    hint: `See where it stands with \`hob approvals show ${id}\`.`,
  });
}
