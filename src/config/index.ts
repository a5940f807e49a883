export {
  DEFAULT_LITELLM_FILE,
  type DeploymentConfig,
  inferProvider,
  isLocalDeployment,
  isLoopback,
  loadRouterConfig,
  managedLitellmFile,
  matchWildcard,
  OPENAI_DEFAULT_BASE,
  type ProviderKind,
  parseRouterConfig,
  ROUTING_STRATEGIES,
  type RouterConfig,
  type RouterSettings,
  type RoutingStrategy,
  type SecretRef,
  userLitellmFile,
  wildcardModel,
} from "./litellm.js";
export {
  BUDGET_ENV,
  type LoadedConfig,
  loadConfig,
  MANAGED_ROUTING_FILE,
  normalizeOllamaHost,
  parseConfigObject,
  readManagedRouting,
  routerKnows,
} from "./load.js";
export {
  MCP_SERVER_NAME,
  type McpHttpServerConfig,
  type McpServerConfig,
  type McpStdioServerConfig,
  mcpServerSchema,
  mcpServersSchema,
} from "./mcp.js";
export { expandHome, type HobPaths, hobStatePaths, managedRepoPath, resolvePaths } from "./paths.js";
export {
  AGENT_BASES,
  type AgentBase,
  APPROVAL_LEVELS,
  type ApprovalLevel,
  type BudgetsConfig,
  configSchema,
  DEFAULT_TIER_MAP,
  type HobConfig,
  isTimeZone,
  LOCAL_TIERS,
  type Price,
  priceSchema,
  routingSchema,
  TIERS,
  type Tier,
} from "./schema.js";
export { CONFIG_TEMPLATE } from "./template.js";
export { type Locate, parseYaml, readOptional } from "./yaml-source.js";
