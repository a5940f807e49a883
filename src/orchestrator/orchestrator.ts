import { type LoadedConfig, TIERS, type Tier } from "../config/index.js";
import { HobError, toHobError } from "../errors/index.js";
import type { EventError, HobEvent, TaskSummary } from "../events/index.js";
import type { FinishReason, Message, RoutedAttempt, Router } from "../models/index.js";
import { assessAnswer, type RouteDecision, type RoutingCascade, selfCheckScore } from "../routing/index.js";
import type { Store } from "../store/index.js";
import { noModelAvailable } from "./no-model.js";

export const GENERAL_SYSTEM_PROMPT =
  "You are hob, a personal assistant answering in the user's terminal. Answer directly and concisely; " +
  "use Markdown only where it helps (lists, code blocks). If you are unsure, say so.";

export interface OrchestratorDeps {
  config: LoadedConfig;
  store: Store;
  router: Router;
  routing: RoutingCascade;
  now?: () => number;
}

export interface RunRequest {
  input: string;
  tier?: Tier;
  /** Earlier turns of a conversation (`hob chat`). */
  history?: Message[];
  sessionId?: string;
  signal?: AbortSignal;
  /** false bypasses the response cache (`--no-cache`). */
  cache?: boolean;
  onEvent?: (event: HobEvent) => void;
}

/** How often streamed text is saved, so a crash keeps what the user already saw. */
const PROGRESS_SAVE_MS = 250;

interface Served {
  tier: string;
  model: string;
  cached: boolean;
}

/**
 * Wires one task: record → route (cascade) → answer through the router (retries,
 * fallbacks, cache) → check a local answer and escalate if it looks unreliable →
 * record the outcome and every model call. Emits events as it goes.
 */
export class Orchestrator {
  private readonly now: () => number;

  constructor(private readonly deps: OrchestratorDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Routing only, for `hob route`. */
  route(input: string, options: { tier?: Tier; signal?: AbortSignal } = {}): Promise<RouteDecision> {
    return this.deps.routing.decide(input, options);
  }

  async run(request: RunRequest): Promise<TaskSummary> {
    const input = request.input.trim();
    if (input.length === 0) {
      throw new HobError("E_USAGE", "The task is empty.", { hint: 'Give the task as text: hob run "…"' });
    }
    const { config, store, router } = this.deps;
    if (request.tier && !router.has(request.tier)) {
      throw new HobError("E_USAGE", `There is no tier "${request.tier}" in ${config.router.file}.`, {
        hint: `Known model names: ${router.modelNames().join(", ")}.`,
      });
    }
    const emit = request.onEvent ?? (() => undefined);
    const started = this.now();
    const task = store.tasks.create({ input, sessionId: request.sessionId });
    const usage = { input: 0, output: 0 };
    let costUsd = 0;
    let output = "";
    let served: Served | undefined;
    let decision: RouteDecision | undefined;
    let escalatedFrom: string | undefined;
    const failures: RoutedAttempt[] = [];

    const record = (purpose: "answer" | "classify" | "self-check") => (attempt: RoutedAttempt) => {
      if (attempt.ok) {
        usage.input += attempt.usage.inputTokens + attempt.usage.cacheReadTokens + attempt.usage.cacheWriteTokens;
        usage.output += attempt.usage.outputTokens;
        costUsd += attempt.costUsd;
        if (purpose === "answer") served = { tier: attempt.modelName, model: attempt.model, cached: attempt.cached };
      } else {
        failures.push(attempt);
      }
      store.modelCalls.insert({
        taskId: task.id,
        createdAt: this.now(),
        provider: attempt.provider,
        model: attempt.model,
        tier: attempt.modelName,
        attempt: attempt.attempt,
        inputTokens: attempt.usage.inputTokens,
        outputTokens: attempt.usage.outputTokens,
        cacheReadTokens: attempt.usage.cacheReadTokens,
        cacheWriteTokens: attempt.usage.cacheWriteTokens,
        costUsd: attempt.costUsd,
        latencyMs: attempt.latencyMs,
        ok: attempt.ok,
        errorCode: attempt.errorCode ?? null,
        local: attempt.local,
        cached: attempt.cached,
        purpose,
      });
      emit({
        type: "model-call",
        taskId: task.id,
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

    const summary = (status: TaskSummary["status"], error?: EventError): TaskSummary => ({
      id: task.id,
      status,
      agent: decision?.agent ?? "general",
      tier: served?.tier ?? decision?.tier ?? "",
      model: served?.model ?? (decision ? router.describe(decision.tier) : ""),
      output,
      usage: { input_tokens: usage.input, output_tokens: usage.output },
      cost_usd: Math.round(costUsd * 1e9) / 1e9,
      cached: served?.cached ?? false,
      duration_ms: this.now() - started,
      ...(escalatedFrom ? { escalated_from: escalatedFrom } : {}),
      ...(error ? { error } : {}),
    });

    try {
      decision = await this.deps.routing.decide(input, {
        tier: request.tier,
        signal: request.signal,
        onAttempt: record("classify"),
      });
      store.tasks.setRoute(task.id, {
        agent: decision.agent,
        tier: decision.tier,
        model: router.describe(decision.tier),
        reason: decision.reason,
        complexity: decision.complexity,
        classifier: decision.classifier,
        confidence: decision.confidence,
      });
      emit({
        type: "task-started",
        taskId: task.id,
        input,
        agent: decision.agent,
        tier: decision.tier,
        model: router.describe(decision.tier),
        reason: decision.reason,
        classifier: decision.classifier,
        confidence: decision.confidence,
        at: started,
      });

      let tier: string = decision.tier;
      let fallback: string | undefined;
      for (;;) {
        let lastSave = this.now();
        let finishReason: FinishReason = "other";
        output = "";
        const stream = router.stream(
          tier,
          {
            system: GENERAL_SYSTEM_PROMPT,
            messages: [...(request.history ?? []), { role: "user", content: input }],
            maxOutputTokens: config.config.max_output_tokens,
            temperature: config.config.temperature,
          },
          {
            signal: request.signal,
            cache: request.cache !== false && config.config.cache.enabled,
            onAttempt: record("answer"),
            onRetry: (info) =>
              emit({
                type: "model-retry",
                taskId: task.id,
                attempt: info.attempt,
                delayMs: info.delayMs,
                error: info.error.toJSON(),
              }),
            onFallback: (info) => {
              fallback ??= `${info.from} → ${info.to} (${info.error.code})`;
              emit({
                type: "model-fallback",
                taskId: task.id,
                from: info.from,
                to: info.to,
                error: info.error.toJSON(),
              });
            },
          },
        );
        for await (const part of stream) {
          if (part.type === "finish") finishReason = part.finishReason;
          if (part.type !== "text-delta") continue;
          output += part.text;
          emit({ type: "text-delta", taskId: task.id, text: part.text });
          const at = this.now();
          if (at - lastSave >= PROGRESS_SAVE_MS) {
            store.tasks.saveProgress(task.id, output);
            lastSave = at;
          }
        }
        const next = await this.escalation(input, output, finishReason, served, request, record("self-check"));
        if (!next) break;
        emit({ type: "task-escalated", taskId: task.id, from: next.from, to: next.to, reason: next.reason });
        store.tasks.setServed(task.id, {
          tier: next.from,
          model: served?.model ?? "",
          escalatedFrom: next.from,
          escalationReason: next.reason,
        });
        escalatedFrom ??= next.from;
        tier = next.to;
      }
      store.tasks.setServed(task.id, {
        tier: served?.tier ?? tier,
        model: served?.model ?? "",
        ...(fallback ? { fallback } : {}),
      });
    } catch (thrown) {
      const error = noModelAvailable(failures, config) ?? toHobError(thrown);
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

  /**
   * After a local answer: is it usable? If not, the next tier up (local-fast → local
   * → fast → smart) takes the task. Cloud answers are not second-guessed.
   */
  private async escalation(
    input: string,
    output: string,
    finishReason: FinishReason,
    served: Served | undefined,
    request: RunRequest,
    onAttempt: (attempt: RoutedAttempt) => void,
  ): Promise<{ from: string; to: string; reason: string } | undefined> {
    const { config, router } = this.deps;
    if (!config.config.escalation.enabled || !served || !router.isLocal(served.tier)) return undefined;
    const to = this.nextTier(served.tier);
    if (!to) return undefined;
    const verdict = assessAnswer(input, output, finishReason);
    if (!verdict.ok) return { from: served.tier, to, reason: verdict.reason };
    if (config.config.escalation.self_check) {
      const score = await selfCheckScore(router, input, output, { signal: request.signal, onAttempt }).catch(
        () => undefined,
      );
      const threshold = config.config.escalation.self_check_threshold;
      if (score !== undefined && score < threshold) {
        return { from: served.tier, to, reason: `the self-check scored it ${score} (< ${threshold})` };
      }
    }
    return undefined;
  }

  private nextTier(tier: string): string | undefined {
    const index = (TIERS as readonly string[]).indexOf(tier);
    if (index < 0) return undefined;
    return TIERS.slice(index + 1).find((candidate) => this.deps.router.has(candidate));
  }
}
