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
        host: deployment.apiBase?.value ? normalizeOllamaHost(deployment.apiBase.value) : config.ollama.host,
        timeoutMs: timeoutOf(deployment, config),
        proxy: config.proxy,
      }),
  ],
  [
    "openai",
    async (deployment, config) => {
      const baseUrl = deployment.apiBase?.value;
      if (!baseUrl) {
        throw new HobError("E_CONFIG", `${deployment.modelName} (${deployment.litellmModel}) has no api_base.`, {
          hint: deployment.apiBase?.envVar
            ? `Set ${deployment.apiBase.envVar}, which litellm.yaml names for it.`
            : "Set litellm_params.api_base in litellm.yaml.",
        });
      }
      return createOpenAICompatibleProvider({
        baseUrl,
        apiKey: deployment.apiKey?.value,
        keyVariable: deployment.apiKey?.envVar ?? "api_key in litellm.yaml",
        timeoutMs: timeoutOf(deployment, config),
        proxy: config.proxy,
      });
    },
  ],
]);

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

/** Local means no money and no data leaving the machine: Ollama, or an endpoint on loopback. */
export function isLocalDeployment(deployment: DeploymentConfig, config: LoadedConfig): boolean {
  if (deployment.provider === "ollama") return true;
  const base =
    deployment.provider === "anthropic"
      ? (deployment.apiBase?.value ?? config.anthropic.baseUrl)
      : deployment.apiBase?.value;
  if (!base || deployment.provider === "anthropic") return false;
  try {
    const host = new URL(base).hostname;
    return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);
  } catch {
    return false;
  }
}
