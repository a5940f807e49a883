import type { LoadedConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { createAnthropicProvider } from "./anthropic.js";
import type { Provider } from "./types.js";

export type ProviderFactory = (config: LoadedConfig) => Promise<Provider>;

/**
 * Providers are variants registered by name and chosen by config. The next issue
 * registers `ollama` and `openai`; tests register fakes only by pointing the real
 * providers at local servers, never by replacing these functions.
 */
const factories = new Map<string, ProviderFactory>([
  [
    "anthropic",
    (loaded) =>
      createAnthropicProvider({
        apiKey: loaded.anthropic.apiKey,
        baseUrl: loaded.anthropic.baseUrl,
        timeoutMs: loaded.config.anthropic.timeout_ms,
        proxy: loaded.proxy,
      }),
  ],
]);

export function registerProvider(name: string, factory: ProviderFactory): void {
  factories.set(name, factory);
}

export function providerNames(): string[] {
  return [...factories.keys()];
}

export async function createProvider(name: string, config: LoadedConfig): Promise<Provider> {
  const factory = factories.get(name);
  if (!factory) {
    throw new HobError("E_CONFIG", `Unknown provider "${name}".`, {
      hint: `Known providers: ${providerNames().join(", ")}.`,
    });
  }
  return factory(config);
}
