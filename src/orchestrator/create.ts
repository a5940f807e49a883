import { AgentRegistry } from "../agents/index.js";
import { type LoadedConfig, loadConfig } from "../config/index.js";
import type { EventBus } from "../events/index.js";
import { openMemory, openSemanticCache, type SemanticCache } from "../memory/index.js";
import { type CachedResponse, PriceTable, type ResponseCache, Router } from "../models/index.js";
import { RoutingCascade } from "../routing/index.js";
import type { Store } from "../store/index.js";
import { Orchestrator } from "./orchestrator.js";

/**
 * The response cache seam, kept in the store's SQLite table; with a semantic cache, a
 * rewording of a cached request is mapped to that request's answer.
 */
export function storeCache(store: Store, semantic?: SemanticCache): ResponseCache {
  const get = (key: string, now: number) => store.responseCache.get(key, now) as CachedResponse | undefined;
  return {
    get,
    put: (key, value, now, expiresAt) => store.responseCache.put(key, value.model, value, now, expiresAt),
    ...(semantic
      ? {
          async similar(probe, now) {
            for (const near of await semantic.lookup(probe)) {
              const value = get(near.key, now);
              // Only a plain answer is served by likeness: a tool call made for one request
              // (a search for Paris) must not be replayed for a merely similar one (London).
              if (value && value.toolCalls.length === 0) return { value, score: near.score };
            }
            return undefined;
          },
          remember: (probe, key) => semantic.remember(probe, key),
        }
      : {}),
  };
}

/** The router as config describes it, with the store's cache. */
export function createRouter(config: LoadedConfig, store: Store): Router {
  return new Router({
    config,
    prices: new PriceTable(config.config.pricing),
    cache: storeCache(store, openSemanticCache(config, store)),
    cacheTtlMs: config.config.cache.ttl_hours * 3_600_000,
    maxRetryDelayMs: config.config.max_retry_delay_ms,
  });
}

/** Builds an orchestrator from config with the real router and routing cascade. */
export function createOrchestrator(
  config: LoadedConfig,
  store: Store,
  router = createRouter(config, store),
  bus?: EventBus,
): Orchestrator {
  const agents = AgentRegistry.load(config.paths.home);
  // Routing sees the registered agents as plain data: it can pick any of them that has examples.
  const routable = agents
    .list()
    .map(({ name, description, examples, tier }) => ({ name, description, examples, tier }));
  return new Orchestrator({
    config,
    store,
    router,
    ...(bus ? { bus } : {}),
    routing: new RoutingCascade({ routing: config.config.routing, router, agents: routable }),
    agents,
    // Opened lazily: nothing is read or embedded until a task gathers context or finishes.
    ...(config.config.memory.enabled ? { memory: openMemory(config, store) } : {}),
  });
}

/**
 * The config and an orchestrator built from the files as they are now: hob.yaml, the managed
 * repository (routing.yaml, litellm.yaml, agents/, skills/), $HOB_HOME/agents and skills. A
 * long-running process (`hob serve`) calls this once per task, so an applied proposal takes
 * effect at the next task without a restart. It is cheap (a few milliseconds warm, see
 * bench/reload.ts; skills are synced at the task's start, re-validating changed ones only). What
 * does not carry over from the previous orchestrator is the router's in-memory state (cooldowns,
 * latency); the response cache is in the store and does.
 */
export function loadOrchestrator(
  env: NodeJS.ProcessEnv,
  store: Store,
  bus?: EventBus,
): { config: LoadedConfig; orchestrator: Orchestrator } {
  const config = loadConfig(env);
  return { config, orchestrator: createOrchestrator(config, store, createRouter(config, store), bus) };
}
