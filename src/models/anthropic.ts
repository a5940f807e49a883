import { HobError } from "../errors/index.js";
import { AiSdkProvider } from "./ai-sdk.js";
import { fromStatus } from "./errors.js";
import { createFetch, type ProxySettings } from "./http.js";
import type { Provider } from "./types.js";

export interface AnthropicSettings {
  apiKey: string | undefined;
  /** Official SDK convention: without `/v1`. */
  baseUrl: string;
  timeoutMs: number;
  /** HTTP(S) proxy from HTTPS_PROXY / HTTP_PROXY / NO_PROXY, if any. */
  proxy?: ProxySettings;
  /** The env var the key comes from, named in hints (litellm.yaml may name another). */
  keyVariable?: string;
}

export const ANTHROPIC_VERSION = "2023-06-01";

/**
 * Claude through the Anthropic Messages API, via the AI SDK's Anthropic provider
 * (loaded lazily so `hob --help` never pays for it).
 */
export async function createAnthropicProvider(settings: AnthropicSettings): Promise<Provider> {
  if (!settings.apiKey) {
    const variable = settings.keyVariable ?? "ANTHROPIC_API_KEY";
    throw new HobError("E_NO_API_KEY", "No Anthropic API key is set.", {
      hint: `Export ${variable}=sk-ant-... (create one at https://console.anthropic.com/settings/keys), set anthropic.api_key in hob.yaml, or run local models with Ollama (https://ollama.com, then \`ollama pull qwen3:1.7b\`).`,
    });
  }
  const { createAnthropic } = await import("@ai-sdk/anthropic");
  const anthropic = createAnthropic({
    apiKey: settings.apiKey,
    baseURL: `${settings.baseUrl}/v1`,
    fetch: await createFetch(settings.proxy),
  });
  return new AiSdkProvider({
    name: "anthropic",
    displayName: "Anthropic",
    keyVariable: settings.keyVariable ?? "ANTHROPIC_API_KEY",
    unreachableHint: "Check your internet connection, proxy, or ANTHROPIC_BASE_URL; `hob doctor` tests the connection.",
    timeoutMs: settings.timeoutMs,
    languageModel: (modelId) => anthropic.messages(modelId.replace(/^anthropic\//, "")),
  });
}

export interface ReachabilityResult {
  ok: boolean;
  status?: number;
  error?: HobError;
}

/** GET /v1/models: checks the key and the endpoint without spending tokens (for `hob doctor`). */
export async function checkAnthropic(settings: AnthropicSettings): Promise<ReachabilityResult> {
  const context = {
    provider: "Anthropic",
    keyVariable: "ANTHROPIC_API_KEY",
    timedOut: false,
    timeoutMs: settings.timeoutMs,
    cancelled: false,
  };
  try {
    const fetcher = await createFetch(settings.proxy);
    const response = await fetcher(`${settings.baseUrl}/v1/models?limit=1`, {
      headers: { "x-api-key": settings.apiKey ?? "", "anthropic-version": ANTHROPIC_VERSION },
      signal: AbortSignal.timeout(Math.min(settings.timeoutMs, 10_000)),
    });
    await response.body?.cancel();
    if (response.ok) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: fromStatus(response.status, undefined, context) };
  } catch (error) {
    const code = ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name) || "error";
    return {
      ok: false,
      error: new HobError("E_NETWORK", `Cannot reach Anthropic at ${settings.baseUrl} (${code}).`, {
        hint: "Check your internet connection, proxy, or ANTHROPIC_BASE_URL.",
        cause: error,
      }),
    };
  }
}
