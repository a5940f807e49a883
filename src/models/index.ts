export { AiSdkProvider, type AiSdkProviderOptions } from "./ai-sdk.js";
export {
  ANTHROPIC_VERSION,
  type AnthropicSettings,
  checkAnthropic,
  createAnthropicProvider,
  type ReachabilityResult,
} from "./anthropic.js";
export { type SpendGuard, type SpendRequest, type SpendReservation, worstCaseUsage } from "./budget.js";
export {
  BUILTIN_EMBEDDER_DIMENSIONS,
  BUILTIN_EMBEDDER_MODEL,
  BuiltinEmbedder,
  builtinEmbedding,
  createBuiltinEmbedder,
} from "./builtin-embedder.js";
export {
  type CachedResponse,
  cacheKey,
  canonicalJson,
  isCacheable,
  type ResponseCache,
  type SemanticProbe,
  semanticProbe,
} from "./cache.js";
export { counterfactualPrice, routerWarnings } from "./counterfactual.js";
export {
  createOllamaEmbedder,
  createOpenAICompatibleEmbedder,
  DEFAULT_EMBED_TIMEOUT_MS,
  type Embedder,
  type EmbedOptions,
  type EmbedResult,
  embedWithRetry,
  type OllamaEmbedderSettings,
  type OpenAICompatibleEmbedderSettings,
} from "./embedder.js";
export {
  createEmbedder,
  DEFAULT_OLLAMA_HOST,
  DEFAULT_OPENAI_BASE,
  type EmbedderFactory,
  type EmbedderKind,
  type EmbedderOptions,
  type EmbedderSpec,
  type ResolvedEmbedderSpec,
  registerEmbedder,
} from "./embedder-registry.js";
export { parseRetryAfter } from "./errors.js";
export { createFetch, type ProxySettings } from "./http.js";
export { checkOllama, createOllamaProvider, hasModel, type OllamaSettings, type OllamaStatus } from "./ollama.js";
export { createOpenAICompatibleProvider, type OpenAICompatibleSettings } from "./openai-compatible.js";
export {
  defaultPrices,
  PRICE_LIST_FILE,
  type PriceList,
  PriceTable,
  parsePriceList,
  unpricedWarnings,
} from "./pricing.js";
export {
  createDeploymentProvider,
  isLocalDeployment,
  isLoopback,
  ollamaHostOf,
  openaiEndpointOf,
  type ProviderFactory,
  registerProvider,
} from "./registry.js";
export { abortableSleep, type CallAttempt, type RetryInfo, type RetryPolicy, retryDelay } from "./retry.js";
export {
  type FallbackInfo,
  type ModelClient,
  type Resolution,
  type RoutedAttempt,
  type RouteOptions,
  Router,
  type RouterDeps,
  type RouterRequest,
  type TierSource,
} from "./router.js";
export type {
  FinishReason,
  Message,
  ModelRequest,
  ModelResponse,
  Provider,
  StreamPart,
  TextPart,
  ToolCallPart,
  ToolResultPart,
  ToolSpec,
  Usage,
} from "./types.js";
export { ZERO_USAGE } from "./types.js";
