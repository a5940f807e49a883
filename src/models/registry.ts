import type { DeploymentConfig, LoadedConfig, ProviderKind } from "../config/index.js";
import { normalizeOllamaHost } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { createAnthropicProvider } from "./anthropic.js";
import { createOllamaProvider } from "./ollama.js";
import { createOpenAICompatibleProvider } from "./openai-compatible.js";
import type { Provider } from "./types.js";

export type ProviderFactory = (deployment: DeploymentConfig, config: LoadedConfig) => Promise<Provider>;

const timeoutOf = (deployment: DeploymentConfig, config: LoadedConfig) =>
  deployment.timeoutMs ?? config.router.settings.timeoutMs;

/**
 * Providers are variants registered by LiteLLM prefix and chosen by litellm.yaml.
 * Tests never replace these: they point the real providers at local fake servers.
 */
const factories = new Map<ProviderKind, ProviderFactory>([
  [
    "anthropic",
    (deployment, config) =>
      createAnthropicProvider({
        apiKey: deployment.apiKey?.value ?? config.anthropic.apiKey,
        keyVariable: deployment.apiKey?.envVar,
        baseUrl: (deployment.apiBase?.value ?? config.anthropic.baseUrl).replace(/\/+$/, "").replace(/\/v1$/, ""),
        timeoutMs: timeoutOf(deployment, config),
        proxy: config.proxy,
      }),
  ],
  [
    "ollama",
    (deployment, config) =>
      createOllamaProvider({
        host: ollamaHostOf(deployment, config),
        timeoutMs: timeoutOf(deployment, config),
        proxy: config.proxy,
        apiKey: deployment.apiKey?.value,
      }),
  ],
  [
    "openai",
    async (deployment, config) => {
      if (deployment.apiBase && !deployment.apiBase.value) {
        throw new HobError("E_CONFIG", `${deployment.modelName} (${deployment.litellmModel}) has no api_base.`, {
          hint: `Set ${deployment.apiBase.envVar}, which the router config names for it.`,
        });
      }
      const { baseUrl, apiKey, keyVariable } = openaiEndpointOf(deployment, config);
      if (!apiKey && !deployment.apiBase) {
        throw new HobError("E_NO_API_KEY", "No OpenAI API key is set.", {
          hint: `Export ${keyVariable}=sk-... (https://platform.openai.com/api-keys), or give the deployment an api_key in the router config.`,
        });
      }
      return createOpenAICompatibleProvider({
        baseUrl,
        apiKey,
        keyVariable,
        timeoutMs: timeoutOf(deployment, config),
        proxy: config.proxy,
      });
    },
  ],
]);

/** Where an Ollama deployment is called: its api_base, else OLLAMA_HOST / ollama.host. */
export function ollamaHostOf(deployment: DeploymentConfig, config: LoadedConfig): string {
  return deployment.apiBase?.value ? normalizeOllamaHost(deployment.apiBase.value) : config.ollama.host;
}

/**
 * Where an `openai/` deployment is called, as LiteLLM does it: its api_base, else OpenAI's API
 * (OPENAI_BASE_URL / OPENAI_API_BASE, default https://api.openai.com/v1) with OPENAI_API_KEY.
 */
export function openaiEndpointOf(
  deployment: DeploymentConfig,
  config: LoadedConfig,
): { baseUrl: string; apiKey: string | undefined; keyVariable: string } {
  if (deployment.apiBase?.value) {
    return {
      baseUrl: deployment.apiBase.value,
      apiKey: deployment.apiKey?.value,
      keyVariable: deployment.apiKey?.envVar ?? "api_key in the router config",
    };
  }
  return {
    baseUrl: config.openai.baseUrl,
    apiKey: deployment.apiKey?.value ?? config.openai.apiKey,
    keyVariable: deployment.apiKey?.envVar ?? "OPENAI_API_KEY",
  };
}

export function registerProvider(kind: ProviderKind, factory: ProviderFactory): void {
  factories.set(kind, factory);
}

export function createDeploymentProvider(deployment: DeploymentConfig, config: LoadedConfig): Promise<Provider> {
  const factory = factories.get(deployment.provider);
  if (!factory) {
    return Promise.reject(new HobError("E_CONFIG", `No provider is registered for ${deployment.provider}.`));
  }
  return factory(deployment, config);
}

export { isLocalDeployment, isLoopback } from "../config/index.js";
