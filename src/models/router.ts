import type { DeploymentConfig, LoadedConfig, RouterSettings } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { cacheKey, isCacheable, type ResponseCache } from "./cache.js";
import { DeploymentState } from "./deployment-state.js";
import type { PriceTable } from "./pricing.js";
import { createDeploymentProvider, isLocalDeployment } from "./registry.js";
import { abortableSleep, type CallAttempt, type RetryInfo, retryDelay } from "./retry.js";
import type { ModelRequest, ModelResponse, Provider, StreamPart, ToolCallPart, Usage } from "./types.js";

/** One attempt as the router saw it: which deployment of which model group. */
export interface RoutedAttempt extends CallAttempt {
  modelName: string;
  deploymentId: string;
  local: boolean;
  cached: boolean;
}

export interface FallbackInfo {
  from: string;
  to: string;
  error: HobError;
}

export interface RouteOptions {
  signal?: AbortSignal;
  onAttempt?: (attempt: RoutedAttempt) => void;
  onRetry?: (info: RetryInfo & { modelName: string; deploymentId: string }) => void;
  onFallback?: (info: FallbackInfo) => void;
  /** false: this model group only (the classifier must not fall back to the cloud). */
  fallbacks?: boolean;
  /** Overrides router_settings.num_retries. */
  numRetries?: number;
  /** false bypasses the response cache (`--no-cache`). */
  cache?: boolean;
}

export interface RouterDeps {
  config: LoadedConfig;
  prices: PriceTable;
  cache?: ResponseCache;
  cacheTtlMs?: number;
  maxRetryDelayMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** How a deployment becomes a provider; the default uses the provider registry. */
  createProvider?: (deployment: DeploymentConfig) => Promise<Provider>;
}

export type RouterRequest = Omit<ModelRequest, "model">;

/** Per-call state: whether output reached the caller (then no retry), and who served. */
interface Progress {
  produced: boolean;
  text: string;
  toolCalls: ToolCallPart[];
  served?: DeploymentConfig;
}

/**
 * A LiteLLM-style router: model groups of deployments, a routing strategy within a
 * group, retries, cooldowns, fallbacks between groups, and an exact response cache.
 * Semantics follow LiteLLM's router (https://docs.litellm.ai/docs/routing).
 */
export class Router {
  private readonly settings: RouterSettings;
  private readonly groups = new Map<string, DeploymentState[]>();
  private readonly providers = new Map<string, Promise<Provider>>();
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly deps: RouterDeps) {
    this.settings = deps.config.router.settings;
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? abortableSleep;
    this.random = deps.random ?? Math.random;
    for (const deployment of deps.config.router.deployments) {
      const group = this.groups.get(deployment.modelName) ?? [];
      group.push(new DeploymentState(deployment));
      this.groups.set(deployment.modelName, group);
    }
  }

  modelNames(): string[] {
    return [...this.groups.keys()];
  }

  has(modelName: string): boolean {
    return this.groups.has(modelName);
  }

  deployments(modelName: string): DeploymentConfig[] {
    return (this.groups.get(modelName) ?? []).map((state) => state.deployment);
  }

  /** True when every deployment of the group is local (Ollama or loopback). */
  isLocal(modelName: string): boolean {
    const deployments = this.deployments(modelName);
    return deployments.length > 0 && deployments.every((d) => isLocalDeployment(d, this.deps.config));
  }

  /** The model id a group's first deployment would call, for display. */
  describe(modelName: string): string {
    return this.deployments(modelName)[0]?.litellmModel ?? modelName;
  }

  async *stream(modelName: string, request: RouterRequest, options: RouteOptions = {}): AsyncGenerator<StreamPart> {
    if (!this.groups.has(modelName)) {
      throw new HobError("E_CONFIG", `No model named "${modelName}" in ${this.deps.config.router.file}.`, {
        hint: `Known model names: ${this.modelNames().join(", ")}.`,
      });
    }
    const started = this.now();
    const key =
      options.cache !== false && this.deps.cache && isCacheable(request) ? cacheKey(modelName, request) : undefined;
    if (key) {
      const hit = this.deps.cache?.get(key, started);
      if (hit) {
        options.onAttempt?.({
          provider: hit.provider,
          model: hit.model,
          modelName,
          deploymentId: "cache",
          attempt: 1,
          usage: hit.usage,
          costUsd: 0,
          latencyMs: this.now() - started,
          ok: true,
          local: hit.local,
          cached: true,
        });
        if (hit.text) yield { type: "text-delta", text: hit.text };
        for (const call of hit.toolCalls) yield { ...call, type: "tool-call" };
        yield { type: "finish", finishReason: hit.finishReason, usage: hit.usage };
        return;
      }
    }

    const chain = [modelName, ...(options.fallbacks === false ? [] : (this.settings.fallbacks[modelName] ?? []))];
    const progress: Progress = { produced: false, text: "", toolCalls: [] };
    let lastError: HobError | undefined;
    for (let index = 0; index < chain.length; index++) {
      const group = chain[index] as string;
      if (lastError) options.onFallback?.({ from: chain[index - 1] as string, to: group, error: lastError });
      try {
        let finish: Extract<StreamPart, { type: "finish" }> | undefined;
        for await (const part of this.streamGroup(group, request, options, progress)) {
          if (part.type === "text-delta") progress.text += part.text;
          if (part.type === "tool-call") progress.toolCalls.push({ ...part, type: "tool-call" });
          if (part.type === "finish") finish = part;
          yield part;
        }
        const served = progress.served;
        if (key && finish && served) {
          const now = this.now();
          this.deps.cache?.put(
            key,
            {
              text: progress.text,
              toolCalls: progress.toolCalls,
              finishReason: finish.finishReason,
              usage: finish.usage,
              provider: served.provider,
              model: served.model,
              local: isLocalDeployment(served, this.deps.config),
            },
            now,
            now + (this.deps.cacheTtlMs ?? 7 * 24 * 3_600_000),
          );
        }
        return;
      } catch (thrown) {
        const error = thrown as HobError;
        if (progress.produced || error.code === "E_CANCELLED" || options.signal?.aborted) throw error;
        lastError = error;
        const bigger = error.code === "E_CONTEXT_WINDOW" ? this.settings.contextWindowFallbacks[group] : undefined;
        if (bigger?.length && options.fallbacks !== false) {
          const rest = chain.slice(index + 1).filter((name) => !bigger.includes(name));
          chain.splice(index + 1, chain.length, ...bigger, ...rest);
        }
      }
    }
    const tried = chain.join(", then ");
    const error = lastError as HobError;
    throw chain.length > 1
      ? new HobError(error.code, `${error.message.replace(/\.$/, "")} (tried ${tried}).`, {
          hint: error.hint,
          cause: error.cause,
          status: error.status,
        })
      : error;
  }

  /** Streams the whole answer and returns it (the router's `generate`). */
  async generate(modelName: string, request: RouterRequest, options: RouteOptions = {}): Promise<ModelResponse> {
    let text = "";
    const toolCalls: ToolCallPart[] = [];
    for await (const part of this.stream(modelName, request, options)) {
      if (part.type === "text-delta") text += part.text;
      else if (part.type === "tool-call") toolCalls.push({ ...part, type: "tool-call" });
      else return { text, toolCalls, finishReason: part.finishReason, usage: part.usage };
    }
    throw new HobError("E_STREAM", "The model's answer ended without finishing.");
  }

  /** One model group: pick a deployment by strategy, retry with backoff, cool down failures. */
  private async *streamGroup(
    group: string,
    request: RouterRequest,
    options: RouteOptions,
    progress: Progress,
  ): AsyncGenerator<StreamPart> {
    const numRetries = options.numRetries ?? this.settings.numRetries;
    const policy = { maxRetries: numRetries, maxRetryDelayMs: this.deps.maxRetryDelayMs ?? 60_000 };
    for (let attempt = 1; ; attempt++) {
      const state = this.pick(group);
      if (!state) throw this.unavailable(group);
      const { deployment } = state;
      const local = isLocalDeployment(deployment, this.deps.config);
      const started = this.now();
      state.started(started);
      const report = (ok: boolean, usage: Usage, errorCode?: string) =>
        options.onAttempt?.({
          provider: deployment.provider,
          model: deployment.model,
          modelName: group,
          deploymentId: deployment.id,
          attempt,
          usage,
          costUsd: ok ? this.cost(deployment, usage) : 0,
          latencyMs: this.now() - started,
          ok,
          local,
          cached: false,
          ...(errorCode ? { errorCode } : {}),
        });
      let settled = false;
      try {
        const provider = await this.providerFor(deployment);
        for await (const part of provider.stream({ ...request, model: deployment.model, signal: options.signal })) {
          if (part.type === "finish") {
            settled = true;
            state.succeeded(this.now() - started);
            progress.served = deployment;
            report(true, part.usage);
          } else {
            progress.produced = true;
          }
          yield part;
        }
        return;
      } catch (thrown) {
        const error =
          thrown instanceof HobError ? thrown : new HobError("E_PROVIDER", String(thrown), { cause: thrown });
        if (!settled) state.failed(error, this.now(), this.settings);
        report(false, { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, error.code);
        if (progress.produced || error.code === "E_CANCELLED") throw error;
        const delayMs = retryDelay(error, attempt, policy);
        // No point waiting when nothing in the group can take the retry.
        if (delayMs === undefined || !this.pick(group, true)) throw error;
        options.onRetry?.({ attempt, delayMs, error, modelName: group, deploymentId: deployment.id });
        await this.sleep(delayMs, options.signal);
      }
    }
  }

  /** Chooses a deployment of the group by routing_strategy; undefined when all are cooling down. */
  private pick(group: string, peek = false): DeploymentState | undefined {
    const now = this.now();
    const candidates = (this.groups.get(group) ?? []).filter((state) => state.isAvailable(now));
    if (candidates.length <= 1 || peek) return candidates[0];
    switch (this.settings.routingStrategy) {
      case "least-busy":
        return candidates.reduce((best, state) => (state.inFlight < best.inFlight ? state : best));
      case "latency-based-routing":
        return candidates.reduce((best, state) => ((state.latencyMs ?? 0) < (best.latencyMs ?? 0) ? state : best));
      case "cost-based-routing":
        return candidates.reduce((best, state) =>
          this.unitCost(state.deployment) < this.unitCost(best.deployment) ? state : best,
        );
      default: {
        // simple-shuffle: random, weighted by `weight`, else by `rpm`, else uniform (as LiteLLM).
        const weights = candidates.map((s) => s.deployment.weight ?? s.deployment.rpm ?? 1);
        let roll = this.random() * weights.reduce((a, b) => a + b, 0);
        for (const [i, state] of candidates.entries()) {
          roll -= weights[i] as number;
          if (roll < 0) return state;
        }
        return candidates[candidates.length - 1];
      }
    }
  }

  private unavailable(group: string): HobError {
    const until = Math.min(...(this.groups.get(group) ?? []).map((state) => state.coolingUntil));
    const seconds = Math.max(1, Math.ceil((until - this.now()) / 1000));
    return new HobError(
      "E_UNAVAILABLE",
      `Every deployment of "${group}" is cooling down after failures (about ${seconds} s left).`,
      {
        hint: "Wait, or check the provider with `hob doctor`.",
        retryable: false,
      },
    );
  }

  private providerFor(deployment: DeploymentConfig): Promise<Provider> {
    let provider = this.providers.get(deployment.id);
    if (!provider) {
      provider = (this.deps.createProvider ?? ((d) => createDeploymentProvider(d, this.deps.config)))(deployment);
      this.providers.set(deployment.id, provider);
      // A failed creation (a missing key) is not kept: the next call tries again.
      provider.catch(() => this.providers.delete(deployment.id));
    }
    return provider;
  }

  /** USD for a call: litellm_params prices win, then the price table; local models cost nothing. */
  cost(deployment: DeploymentConfig, usage: Usage): number {
    if (deployment.inputCostPerToken !== undefined || deployment.outputCostPerToken !== undefined) {
      const micro =
        usage.inputTokens * (deployment.inputCostPerToken ?? 0) +
        usage.outputTokens * (deployment.outputCostPerToken ?? 0);
      return Math.round(micro * 1e9) / 1e9;
    }
    if (isLocalDeployment(deployment, this.deps.config)) return 0;
    return this.deps.prices.cost(deployment.model, usage);
  }

  private unitCost(deployment: DeploymentConfig): number {
    const million = { inputTokens: 1e6, outputTokens: 1e6, cacheReadTokens: 0, cacheWriteTokens: 0 };
    return this.cost(deployment, million);
  }
}
