import type { LoadedConfig } from "../config/index.js";
import { mask } from "../errors/index.js";

/** Keys whose values are secrets wherever they appear in the config. */
const SECRET_KEY = /(^|_)(api_key|key|token|secret|password)$/i;

/** A copy of the config with every secret masked (`sk-ant-…Xy12`): enough to recognise, not to use. */
function masked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(masked);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && typeof v === "string" ? mask(v) : masked(v)]),
  );
}

/**
 * The effective config after env overrides, with every secret masked, where each part came
 * from, and the router config in use: `hob config show --json` and `GET /api/config`.
 * `warnings` are the router's (models' `routerWarnings(loaded)`: this room loads no models).
 */
export function toConfigJson(loaded: LoadedConfig, warnings: string[]) {
  const effective = {
    ...(masked(loaded.config) as typeof loaded.config),
    anthropic: {
      ...(masked(loaded.config.anthropic) as typeof loaded.config.anthropic),
      base_url: loaded.anthropic.baseUrl,
      // Not even masked: whether it is set is all this needs to say (`hob doctor` shows its last characters).
      api_key: loaded.anthropic.apiKey ? "(set)" : "(not set)",
    },
    // What `hob run` uses: OLLAMA_HOST wins over the file, normalised the same way.
    ollama: { ...loaded.config.ollama, host: loaded.ollama.host },
  };
  const sources = {
    file: loaded.source === "file" ? loaded.paths.configFile : null,
    // The managed repository's routing.yaml wins over hob.yaml's `routing:` for the keys it sets.
    routing: loaded.managedRouting
      ? { file: loaded.managedRouting.file, keys: loaded.managedRouting.keys.map((key) => `routing.${key}`) }
      : null,
    ollama_host: loaded.ollama.hostSource,
    api_key: loaded.anthropic.apiKeySource ?? null,
    base_url: loaded.anthropic.baseUrlSource,
  };
  const router = {
    file: loaded.router.file,
    source: loaded.router.source,
    // `model` is the model's own name, the same string `hob run --json`, history and stats show.
    models: loaded.router.deployments.map((d) => ({
      model_name: d.modelName,
      provider: d.provider,
      model: d.model,
      litellm_model: d.litellmModel,
      id: d.id,
    })),
    settings: {
      routing_strategy: loaded.router.settings.routingStrategy,
      num_retries: loaded.router.settings.numRetries,
      timeout_ms: loaded.router.settings.timeoutMs,
      fallbacks: loaded.router.settings.fallbacks,
      context_window_fallbacks: loaded.router.settings.contextWindowFallbacks,
      allowed_fails: loaded.router.settings.allowedFails,
      cooldown_ms: loaded.router.settings.cooldownMs,
    },
    warnings,
  };
  return { config: effective, sources, router };
}

export type ConfigJson = ReturnType<typeof toConfigJson>;
