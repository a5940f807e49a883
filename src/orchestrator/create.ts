import { AgentRegistry } from "../agents/index.js";
import type { LoadedConfig } from "../config/index.js";
import type { EventBus } from "../events/index.js";
import { type CachedResponse, PriceTable, type ResponseCache, Router } from "../models/index.js";
import { RoutingCascade } from "../routing/index.js";
import type { Store } from "../store/index.js";
import { Orchestrator } from "./orchestrator.js";

/** The response cache seam, kept in the store's SQLite table. */
export function storeCache(store: Store): ResponseCache {
  return {
    get: (key, now) => store.responseCache.get(key, now) as CachedResponse | undefined,
    put: (key, value, now, expiresAt) => store.responseCache.put(key, value.model, value, now, expiresAt),
  };
}

/** The router as config describes it, with the store's cache. */
export function createRouter(config: LoadedConfig, store: Store): Router {
  return new Router({
    config,
    prices: new PriceTable(config.config.pricing),
    cache: storeCache(store),
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
  });
}
