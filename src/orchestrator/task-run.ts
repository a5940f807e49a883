import type { HobEvent, TaskEventBody } from "../events/index.js";
import type { TaskStream } from "../recorder/index.js";
import type { Served } from "./summary.js";

export type ModelCallEvent = HobEvent & { type: "model-call" };

/**
 * One run of a task (a start or a resume): publishes on the task's stream and keeps
 * what the orchestrator decides from the events that went by — who answered, which
 * attempts failed, the first fallback, the text streamed so far.
 */
export class TaskRun {
  served: Served | undefined;
  readonly failures: ModelCallEvent[] = [];
  fallback: string | undefined;
  output = "";

  constructor(readonly stream: TaskStream) {}

  get taskId(): string {
    return this.stream.taskId;
  }

  publish(body: TaskEventBody): HobEvent {
    const event = this.stream.publish(body);
    if (event.type === "model-call") {
      if (!event.ok) this.failures.push(event);
      else if (event.purpose === "answer")
        this.served = { tier: event.model_name, model: event.model, cached: event.cached };
    } else if (event.type === "model-fallback") {
      this.fallback ??= `${event.from} → ${event.to} (${event.error.code})`;
    } else if (event.type === "text-delta") {
      this.output += event.text;
    }
    return event;
  }
}
