import type { LoadedConfig, Tier } from "../config/index.js";
import { createProvider, PriceTable, type Provider } from "../models/index.js";
import type { Store } from "../store/index.js";
import { Orchestrator } from "./orchestrator.js";

/**
 * Builds an orchestrator from config with the real providers. Providers are made
 * once per process and on first use, so a task that fails to get one is recorded.
 */
export function createOrchestrator(config: LoadedConfig, store: Store): Orchestrator {
  let anthropic: Promise<Provider> | undefined;
  return new Orchestrator({
    config,
    store,
    prices: new PriceTable(config.config.pricing),
    providerFor: (_tier: Tier) => {
      anthropic ??= createProvider("anthropic", config);
      // A failed creation (no key) must not be cached: the next call tries again.
      anthropic.catch(() => {
        anthropic = undefined;
      });
      return anthropic;
    },
  });
}
