export { type LoadedConfig, loadConfig, parseConfigObject } from "./load.js";
export { type HobPaths, resolvePaths } from "./paths.js";
export {
  configSchema,
  DEFAULT_SMART_KEYWORDS,
  type HobConfig,
  type Price,
  priceSchema,
  TIERS,
  type Tier,
} from "./schema.js";
export { CONFIG_TEMPLATE } from "./template.js";
