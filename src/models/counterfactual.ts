import type { LoadedConfig } from "../config/index.js";
import type { CounterfactualPrice } from "../store/index.js";
import { PriceTable, unpricedWarnings } from "./pricing.js";
import { Router } from "./router.js";

/**
 * The all-cloud counterfactual of `hob stats` and `GET /api/stats`: every local or cached
 * token priced as the smart tier's model, resolved as `hob route` and `hob run` do
 * (routing.models, same name, nearest).
 */
export function counterfactualPrice(config: LoadedConfig): CounterfactualPrice | undefined {
  const prices = new PriceTable(config.config.pricing);
  const smart = new Router({ config, prices }).deployments("smart")[0];
  if (!smart) return undefined;
  if (smart.inputCostPerToken !== undefined || smart.outputCostPerToken !== undefined) {
    return {
      model: smart.model,
      input: (smart.inputCostPerToken ?? 0) * 1e6,
      output: (smart.outputCostPerToken ?? 0) * 1e6,
    };
  }
  const price = prices.lookup(smart.model);
  return price ? { model: smart.model, input: price.input, output: price.output } : undefined;
}

/** The router config's warnings plus the models without a price (`hob config show`, `GET /api/config`). */
export function routerWarnings(config: LoadedConfig): string[] {
  return [...config.router.warnings, ...unpricedWarnings(config.router, new PriceTable(config.config.pricing))];
}
