export { AiSdkProvider, type AiSdkProviderOptions } from "./ai-sdk.js";
export {
  type AnthropicSettings,
  checkAnthropic,
  createAnthropicProvider,
  type ReachabilityResult,
} from "./anthropic.js";
export { parseRetryAfter } from "./errors.js";
export { createFetch, type ProxySettings } from "./http.js";
export { DEFAULT_PRICES, PriceTable } from "./pricing.js";
export { createProvider, type ProviderFactory, providerNames, registerProvider } from "./registry.js";
export {
  abortableSleep,
  type CallAttempt,
  type CallOptions,
  type RetryInfo,
  type RetryPolicy,
  retryDelay,
  streamWithRetries,
} from "./retry.js";
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
