import type { LoadedConfig, Tier } from "../config/index.js";
import { HobError, toHobError } from "../errors/index.js";
import type { EventError, HobEvent, TaskSummary } from "../events/index.js";
import {
  type CallAttempt,
  type Message,
  type PriceTable,
  type Provider,
  streamWithRetries,
  type Usage,
} from "../models/index.js";
import { pickTier } from "../routing/index.js";
import type { Store } from "../store/index.js";

export const GENERAL_SYSTEM_PROMPT =
  "You are hob, a personal assistant answering in the user's terminal. Answer directly and concisely; " +
  "use Markdown only where it helps (lists, code blocks). If you are unsure, say so.";

export interface OrchestratorDeps {
  config: LoadedConfig;
  store: Store;
  prices: PriceTable;
  /** Resolves the provider for a tier; called inside the task so its failure is recorded. */
  providerFor: (tier: Tier) => Promise<Provider>;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RunRequest {
  input: string;
  tier?: Tier;
  /** Earlier turns of a conversation (`hob chat`). */
  history?: Message[];
  sessionId?: string;
  signal?: AbortSignal;
  onEvent?: (event: HobEvent) => void;
}

/** How often streamed text is saved, so a crash keeps what the user already saw. */
const PROGRESS_SAVE_MS = 250;

/** Wires one task through routing, the model and the store, emitting events as it goes. */
export class Orchestrator {
  private readonly now: () => number;

  constructor(private readonly deps: OrchestratorDeps) {
    this.now = deps.now ?? Date.now;
  }

  async run(request: RunRequest): Promise<TaskSummary> {
    const input = request.input.trim();
    if (input.length === 0) {
      throw new HobError("E_USAGE", "The task is empty.", { hint: 'Give the task as text: hob run "…"' });
    }
    const { config, store } = this.deps;
    const emit = request.onEvent ?? (() => undefined);
    const decision = pickTier(input, config.config.routing, request.tier);
    const model = config.config.tiers[decision.tier];
    const started = this.now();
    const task = store.tasks.create({
      input,
      agent: "general",
      tier: decision.tier,
      tierReason: decision.reason,
      model,
      sessionId: request.sessionId,
    });
    emit({
      type: "task-started",
      taskId: task.id,
      input,
      agent: task.agent,
      tier: decision.tier,
      model,
      reason: decision.reason,
      at: started,
    });

    let output = "";
    let lastSave = started;
    const usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    let costUsd = 0;
    const summary = (status: TaskSummary["status"], error?: EventError): TaskSummary => ({
      id: task.id,
      status,
      agent: task.agent,
      tier: decision.tier,
      model,
      output,
      usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
      cost_usd: costUsd,
      cached: false,
      duration_ms: this.now() - started,
      ...(error ? { error } : {}),
    });

    const onAttempt = (attempt: CallAttempt) => {
      if (attempt.ok) {
        usage.inputTokens += attempt.usage.inputTokens;
        usage.outputTokens += attempt.usage.outputTokens;
        usage.cacheReadTokens += attempt.usage.cacheReadTokens;
        usage.cacheWriteTokens += attempt.usage.cacheWriteTokens;
        costUsd += attempt.costUsd;
      }
      store.modelCalls.insert({
        taskId: task.id,
        createdAt: this.now(),
        provider: attempt.provider,
        model: attempt.model,
        tier: decision.tier,
        attempt: attempt.attempt,
        inputTokens: attempt.usage.inputTokens,
        outputTokens: attempt.usage.outputTokens,
        cacheReadTokens: attempt.usage.cacheReadTokens,
        cacheWriteTokens: attempt.usage.cacheWriteTokens,
        costUsd: attempt.costUsd,
        latencyMs: attempt.latencyMs,
        ok: attempt.ok,
        errorCode: attempt.errorCode ?? null,
      });
      emit({
        type: "model-call",
        taskId: task.id,
        provider: attempt.provider,
        model: attempt.model,
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

    try {
      const provider = await this.deps.providerFor(decision.tier);
      const stream = streamWithRetries(
        provider,
        {
          model,
          system: GENERAL_SYSTEM_PROMPT,
          messages: [...(request.history ?? []), { role: "user", content: input }],
          maxOutputTokens: config.config.max_output_tokens,
          signal: request.signal,
        },
        {
          policy: {
            maxRetries: config.config.anthropic.max_retries,
            maxRetryDelayMs: config.config.anthropic.max_retry_delay_ms,
          },
          prices: this.deps.prices,
          now: this.now,
          sleep: this.deps.sleep,
          onAttempt,
          onRetry: (info) =>
            emit({
              type: "model-retry",
              taskId: task.id,
              attempt: info.attempt,
              delayMs: info.delayMs,
              error: info.error.toJSON(),
            }),
        },
      );
      for await (const part of stream) {
        if (part.type !== "text-delta") continue;
        output += part.text;
        emit({ type: "text-delta", taskId: task.id, text: part.text });
        const at = this.now();
        if (at - lastSave >= PROGRESS_SAVE_MS) {
          store.tasks.saveProgress(task.id, output);
          lastSave = at;
        }
      }
    } catch (thrown) {
      const error = toHobError(thrown);
      const status = error.code === "E_CANCELLED" ? "cancelled" : "failed";
      const result = summary(status, error.toJSON());
      store.tasks.finish(task.id, { status, output, error: error.toJSON(), durationMs: result.duration_ms });
      emit({ type: "task-failed", taskId: task.id, error: error.toJSON(), result });
      return result;
    }
    const result = summary("succeeded");
    store.tasks.finish(task.id, { status: "succeeded", output, durationMs: result.duration_ms });
    emit({ type: "task-finished", taskId: task.id, result });
    return result;
  }
}
