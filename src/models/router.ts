import {
  type DeploymentConfig,
  type LoadedConfig,
  matchWildcard,
  type RouterSettings,
  TIERS,
  type Tier,
  wildcardModel,
} from "../config/index.js";
import { HobError } from "../errors/index.js";
import { type SpendGuard, type SpendReservation, worstCaseUsage } from "./budget.js";
import { type CachedResponse, cacheKey, isCacheable, type ResponseCache, semanticProbe } from "./cache.js";
import { DeploymentState } from "./deployment-state.js";
import { reportedUsage } from "./partial-usage.js";
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

/** How a requested name (a tier, a model_name, an alias) became a model group. */
export type TierSource = "mapped" | "same-name" | "nearest";

export interface Resolution {
  /** The model_name (or wildcard match) whose deployments are called. */
  group: string;
  /** mapped: routing.models; same-name: a model_name, alias or wildcard match of that name; nearest: hob's pick. */
  source: TierSource;
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
  /**
   * The system prompt the cache key is made from (default: the request's). The orchestrator
   * leaves out what memory recalled: that changes from run to run (a task recalls its own
   * earlier run), while the answer to the same question need not.
   */
  cacheSystem?: string;
  /** The task the call is made for: per-task budgets count against it. */
  taskId?: string;
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
  /** Spend budgets: every cloud call's worst case is reserved here first (none: no budget). */
  budget?: SpendGuard;
}

export type RouterRequest = Omit<ModelRequest, "model">;

/**
 * What agents, routing and the self-check need from models, and all they may assume:
 * stream a request to a model group, and ask whether a group exists and runs locally.
 * The LiteLLM-style `Router` is the implementation; a test can give another.
 */
export interface ModelClient {
  stream(modelName: string, request: RouterRequest, options?: RouteOptions): AsyncIterable<StreamPart>;
  generate(modelName: string, request: RouterRequest, options?: RouteOptions): Promise<ModelResponse>;
  has(modelName: string): boolean;
  isLocal(modelName: string): boolean;
}

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
export class Router implements ModelClient {
  private readonly settings: RouterSettings;
  private readonly groups = new Map<string, DeploymentState[]>();
  /** The model_names of the router config, in file order (wildcard patterns included). */
  private readonly configured: string[] = [];
  private readonly wildcards: DeploymentConfig[] = [];
  private readonly resolutions = new Map<string, Resolution | undefined>();
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
      if (!this.configured.includes(deployment.modelName)) this.configured.push(deployment.modelName);
      if (deployment.wildcard) {
        this.wildcards.push(deployment);
        continue;
      }
      const group = this.groups.get(deployment.modelName) ?? [];
      group.push(new DeploymentState(deployment));
      this.groups.set(deployment.modelName, group);
    }
  }

  /** The model_names of the router config (aliases and wildcard patterns included). */
  modelNames(): string[] {
    return [...this.configured, ...Object.keys(this.settings.modelGroupAlias)];
  }

  has(modelName: string): boolean {
    return this.resolve(modelName) !== undefined;
  }

  /**
   * A tier or model name -> the model group that answers it: `routing.models` for a tier,
   * else the model_name (or model_group_alias, or wildcard match) of that name, else, for
   * a tier, the nearest configured model (see `nearest`). Undefined: nothing can answer it.
   */
  resolve(name: string): Resolution | undefined {
    if (this.resolutions.has(name)) return this.resolutions.get(name);
    const tier = (TIERS as readonly string[]).includes(name) ? (name as Tier) : undefined;
    const mapped = tier ? this.deps.config.config.routing.models[tier] : undefined;
    let resolution: Resolution | undefined;
    const mappedGroup = mapped === undefined ? undefined : this.groupFor(mapped);
    if (mappedGroup) resolution = { group: mappedGroup, source: "mapped" };
    else {
      // A tier's name is not a model: a wildcard (`*`) must not pass "smart" to a provider.
      const same = tier ? this.groupFor(name, 0, false) : this.groupFor(name);
      if (same) resolution = { group: same, source: "same-name" };
      else if (tier) {
        const near = this.nearest(tier);
        if (near) resolution = { group: near, source: "nearest" };
      }
    }
    this.resolutions.set(name, resolution);
    return resolution;
  }

  deployments(modelName: string): DeploymentConfig[] {
    const group = this.resolve(modelName)?.group ?? modelName;
    return (this.groups.get(group) ?? []).map((state) => state.deployment);
  }

  /**
   * A model_name, alias or wildcard match -> the key of its group in `groups`. A name a
   * wildcard deployment matches becomes a group of its own, calling the requested model
   * (never the literal `*`), as LiteLLM's pattern router does.
   */
  private groupFor(name: string, depth = 0, wildcards = true): string | undefined {
    if (this.groups.has(name) && (wildcards || this.configured.includes(name))) return name;
    const alias = this.settings.modelGroupAlias[name];
    if (alias !== undefined && depth < 5) return this.groupFor(alias, depth + 1);
    if (!wildcards) return undefined;
    const states: DeploymentState[] = [];
    // As LiteLLM's pattern router: the most specific matching pattern wins (`anthropic/*` over `*`).
    const specificity = (d: DeploymentConfig) => d.modelName.replace(/\*/g, "").length;
    const matching = this.wildcards.filter((d) => wildcardModel(d, name) !== undefined);
    const best = Math.max(...matching.map(specificity));
    for (const deployment of matching.filter((d) => specificity(d) === best)) {
      const model = wildcardModel(deployment, name) as string;
      states.push(
        new DeploymentState({
          ...deployment,
          id: `${deployment.id}:${name}`,
          modelName: name,
          model,
          litellmModel: `${deployment.provider}/${model}`,
          wildcard: false,
        }),
      );
    }
    if (states.length === 0) return undefined;
    this.groups.set(name, states);
    return name;
  }

  /**
   * A tier no model_name is named after and `routing.models` does not map: the nearest
   * configured model. Local tiers take a local model (local-fast the smallest, local the
   * largest, by the parameter count in its name); fast takes the cheapest remote model,
   * smart the priciest (the most capable). With no model of the right kind, the other kind.
   * A wildcard deployment offers the models of its provider in the price list.
   */
  private nearest(tier: Tier): string | undefined {
    const candidates = [...this.configured.filter((name) => !name.includes("*")), ...this.wildcardCandidates()]
      .map((name) => this.groupFor(name))
      .filter((group): group is string => group !== undefined);
    const isLocal = (group: string) => (this.groups.get(group) ?? []).every((s) => isLocalDeployment(s.deployment));
    const local = candidates.filter(isLocal);
    const remote = candidates.filter((group) => !isLocal(group));
    const size = (group: string) => parameterBillions(this.groups.get(group)?.[0]?.deployment.model ?? "");
    const price = (group: string) => {
      const deployment = this.groups.get(group)?.[0]?.deployment;
      return deployment ? this.unitCost(deployment) : undefined;
    };
    const bySize = (largest: boolean) => (list: string[]) =>
      [...list].sort((a, b) => (largest ? size(b) - size(a) : size(a) - size(b)))[0];
    const byPrice = (priciest: boolean) => (list: string[]) => {
      const priced = list.filter((g) => price(g) !== undefined);
      if (priced.length === 0) return list[0];
      return [...priced].sort((a, b) => {
        const diff = (price(a) as number) - (price(b) as number);
        return priciest ? -diff : diff;
      })[0];
    };
    switch (tier) {
      case "local-fast":
        return local.length > 0 ? bySize(false)(local) : byPrice(false)(remote);
      case "local":
        return local.length > 0 ? bySize(true)(local) : byPrice(false)(remote);
      case "fast":
        return remote.length > 0 ? byPrice(false)(remote) : bySize(true)(local);
      case "smart":
        return remote.length > 0 ? byPrice(true)(remote) : bySize(true)(local);
    }
  }

  /** Concrete names a wildcard deployment stands for: its provider's models in the price list. */
  private wildcardCandidates(): string[] {
    const names: string[] = [];
    for (const deployment of this.wildcards) {
      for (const model of this.deps.prices.models(deployment.provider)) {
        for (const name of [model, `${deployment.provider}/${model}`]) {
          if (matchWildcard(deployment.modelName, name) && !names.includes(name)) names.push(name);
        }
      }
    }
    return names;
  }

  /** True when every deployment of the group is local (Ollama or loopback). */
  isLocal(modelName: string): boolean {
    const deployments = this.deployments(modelName);
    return deployments.length > 0 && deployments.every((d) => isLocalDeployment(d));
  }

  /** This router as one task sees it: each of its calls counts against the task's budget. */
  forTask(taskId: string): ModelClient {
    return {
      stream: (modelName, request, options = {}) => this.stream(modelName, request, { ...options, taskId }),
      generate: (modelName, request, options = {}) => this.generate(modelName, request, { ...options, taskId }),
      has: (modelName) => this.has(modelName),
      isLocal: (modelName) => this.isLocal(modelName),
    };
  }

  /** Whether a spend budget guards this router's cloud calls. */
  get budgeted(): boolean {
    return this.deps.budget !== undefined;
  }

  /** The model id a group's first deployment would call, for display. */
  describe(modelName: string): string {
    return this.deployments(modelName)[0]?.litellmModel ?? modelName;
  }

  async *stream(modelName: string, request: RouterRequest, options: RouteOptions = {}): AsyncGenerator<StreamPart> {
    const resolved = this.resolve(modelName);
    if (!resolved) {
      throw new HobError("E_CONFIG", `No model named "${modelName}" in ${this.deps.config.router.file}.`, {
        hint:
          this.configured.length > 0
            ? `Known model names: ${this.modelNames().join(", ")}.`
            : "No deployment in it uses a provider hob speaks; see the warnings (`hob doctor`).",
      });
    }
    const first = resolved.group;
    const started = this.now();
    const key =
      options.cache !== false && this.deps.cache && isCacheable(request)
        ? cacheKey(first, options.cacheSystem === undefined ? request : { ...request, system: options.cacheSystem })
        : undefined;
    const probe = key && this.deps.cache?.similar ? semanticProbe(first, request, options.cacheSystem) : undefined;
    if (key) {
      let hit: CachedResponse | undefined = this.deps.cache?.get(key, started);
      if (!hit && probe) {
        // A lookup that fails (the embedder is down) is a miss: the model answers as without the cache.
        hit = (await this.deps.cache?.similar?.(probe, started).catch(() => undefined))?.value;
      }
      if (hit) {
        options.onAttempt?.({
          provider: hit.provider,
          model: hit.model,
          modelName,
          deploymentId: "cache",
          attempt: 1,
          ...(hit.modelName ? { modelName: hit.modelName } : {}),
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

    const fallbackNames = this.settings.fallbacks[first] ?? this.settings.fallbacks[modelName] ?? [];
    const chain = [
      first,
      ...(options.fallbacks === false ? [] : fallbackNames)
        .map((name) => this.groupFor(name))
        .filter((g): g is string => g !== undefined && g !== first),
    ];
    // Attempts of the first group are reported under the requested name (the tier).
    const label = (group: string, index: number) => (index === 0 ? modelName : group);
    const progress: Progress = { produced: false, text: "", toolCalls: [] };
    let lastError: HobError | undefined;
    for (let index = 0; index < chain.length; index++) {
      const group = chain[index] as string;
      if (lastError)
        options.onFallback?.({ from: label(chain[index - 1] as string, index - 1), to: group, error: lastError });
      try {
        let finish: Extract<StreamPart, { type: "finish" }> | undefined;
        for await (const part of this.streamGroup(group, label(group, index), request, options, progress)) {
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
              local: isLocalDeployment(served),
              // The group that answered: after a fallback it is not the one that was asked for.
              modelName: label(group, index),
            },
            now,
            now + (this.deps.cacheTtlMs ?? 7 * 24 * 3_600_000),
          );
          // Filing it for near-duplicates is best effort: the answer is already given.
          if (probe && progress.toolCalls.length === 0) {
            await this.deps.cache?.remember?.(probe, key, now).catch(() => undefined);
          }
        }
        return;
      } catch (thrown) {
        const error = thrown as HobError;
        if (progress.produced || error.code === "E_CANCELLED" || options.signal?.aborted) throw error;
        lastError = error;
        const bigger =
          error.code === "E_CONTEXT_WINDOW"
            ? (this.settings.contextWindowFallbacks[group] ?? [])
                .map((name) => this.groupFor(name))
                .filter((g): g is string => g !== undefined)
            : undefined;
        if (bigger?.length && options.fallbacks !== false) {
          const rest = chain.slice(index + 1).filter((name) => !bigger.includes(name));
          chain.splice(index + 1, chain.length, ...bigger, ...rest);
        }
      }
    }
    const tried = chain.map(label).join(", then ");
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
    label: string,
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
      const local = isLocalDeployment(deployment);
      // A budget is checked before the call and holds its worst case until its cost is handed over
      // (E_BUDGET thrown here is no failure of the deployment: no cooldown, no retry, fallbacks next).
      let reservation: SpendReservation | undefined;
      let sent: RouterRequest = request;
      if (!local && this.deps.budget) {
        // The bound must hold on the wire: a request without a limit gets hob's default one.
        if (sent.maxOutputTokens === undefined)
          sent = { ...sent, maxOutputTokens: this.deps.config.config.max_output_tokens };
        reservation = this.deps.budget.reserve({
          taskId: options.taskId,
          worstCaseUsd: this.cost(deployment, worstCaseUsage(sent, sent.maxOutputTokens as number)),
          model: deployment.model,
          modelName: label,
        });
      }
      const started = this.now();
      state.started(started);
      const report = (ok: boolean, usage: Usage, errorCode?: string) =>
        options.onAttempt?.({
          provider: deployment.provider,
          model: deployment.model,
          modelName: label,
          deploymentId: deployment.id,
          attempt,
          usage,
          // A call that ended early costs what the provider reported it used (zero if nothing).
          costUsd: ok || usage.inputTokens + usage.outputTokens > 0 ? this.cost(deployment, usage) : 0,
          latencyMs: this.now() - started,
          ok,
          local,
          cached: false,
          ...(errorCode ? { errorCode } : {}),
        });
      let settled = false;
      try {
        const provider = await this.providerFor(deployment);
        for await (const part of provider.stream({ ...sent, model: deployment.model, signal: options.signal })) {
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
        report(
          false,
          reportedUsage(error) ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
          error.code,
        );
        if (progress.produced || error.code === "E_CANCELLED") throw error;
        const delayMs = retryDelay(error, attempt, policy);
        // No point waiting when nothing in the group can take the retry.
        if (delayMs === undefined || !this.pick(group, true)) throw error;
        options.onRetry?.({ attempt, delayMs, error, modelName: label, deploymentId: deployment.id });
        reservation?.release();
        reservation = undefined;
        await this.sleep(delayMs, options.signal);
      } finally {
        // After the caller took the finish part (and recorded the call's cost), or after a failure.
        reservation?.release();
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
          (this.unitCost(state.deployment) ?? Number.POSITIVE_INFINITY) <
          (this.unitCost(best.deployment) ?? Number.POSITIVE_INFINITY)
            ? state
            : best,
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
  cost(deployment: DeploymentConfig, usage: Usage): number | null {
    if (deployment.inputCostPerToken !== undefined || deployment.outputCostPerToken !== undefined) {
      const micro =
        usage.inputTokens * (deployment.inputCostPerToken ?? 0) +
        usage.outputTokens * (deployment.outputCostPerToken ?? 0);
      return Math.round(micro * 1e9) / 1e9;
    }
    if (isLocalDeployment(deployment)) return 0;
    return this.deps.prices.cost(deployment.model, usage);
  }

  private unitCost(deployment: DeploymentConfig): number | undefined {
    const million = { inputTokens: 1e6, outputTokens: 1e6, cacheReadTokens: 0, cacheWriteTokens: 0 };
    if (
      deployment.inputCostPerToken === undefined &&
      deployment.outputCostPerToken === undefined &&
      !isLocalDeployment(deployment) &&
      !this.deps.prices.lookup(deployment.model)
    )
      return undefined;
    return this.cost(deployment, million) ?? undefined;
  }
}

/** The parameter count in a model's name (`qwen3:1.7b` -> 1.7, `llama3.1:70b` -> 70); 0 when none. */
function parameterBillions(model: string): number {
  const match = /(\d+(?:\.\d+)?)b(?![a-z])/i.exec(model.split("/").pop() ?? model);
  return match ? Number(match[1]) : 0;
}
