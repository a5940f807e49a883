import { AgentRegistry } from "../agents/index.js";
import { createBudgetGuard } from "../budgets/index.js";
import type { LoadedConfig } from "../config/index.js";
import { openSemanticCache, type SemanticCache } from "../memory/index.js";
import { type CachedResponse, PriceTable, type ResponseCache, Router } from "../models/index.js";
import { RoutingCascade } from "../routing/index.js";
import type { Store } from "../store/index.js";

// The router and the routing cascade, apart from the orchestrator so that `hob route` (which
// needs only these) does not load the orchestrator's module graph (tools, sandbox, recorder).

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

/** The router as config describes it, with the store's cache and the spend budgets' guard. */
export function createRouter(config: LoadedConfig, store: Store): Router {
  const budget = createBudgetGuard(config.config.budgets, store);
  return new Router({
    ...(budget ? { budget } : {}),
    config,
    prices: new PriceTable(config.config.pricing),
    cache: storeCache(store, openSemanticCache(config, store)),
    cacheTtlMs: config.config.cache.ttl_hours * 3_600_000,
    maxRetryDelayMs: config.config.max_retry_delay_ms,
  });
}

/**
 * The routing cascade over the registered agents, as the orchestrator routes: `hob route` uses
 * this alone, without the rest of the orchestrator (tools, sandbox, memory, recorder).
 */
export function createRouting(
  config: LoadedConfig,
  router: Router,
  agents = AgentRegistry.load(config.paths.home),
): RoutingCascade {
  // Routing sees the registered agents as plain data: it can pick any of them that has examples.
  const routable = agents
    .list()
    .map(({ name, description, examples, tier }) => ({ name, description, examples, tier }));
  return new RoutingCascade({ routing: config.config.routing, router, agents: routable });
}
