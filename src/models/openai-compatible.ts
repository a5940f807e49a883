import { AiSdkProvider } from "./ai-sdk.js";
import { createFetch, type ProxySettings } from "./http.js";
import type { Provider } from "./types.js";

export interface OpenAICompatibleSettings {
  /** e.g. http://127.0.0.1:8000/v1 — a LiteLLM proxy, vLLM, llama.cpp's server, LM Studio. */
  baseUrl: string;
  apiKey: string | undefined;
  /** Where the key comes from, named in hints (an env var or litellm.yaml). */
  keyVariable: string;
  timeoutMs: number;
  proxy?: ProxySettings;
}

/** Any OpenAI-compatible `/chat/completions` endpoint, via the AI SDK's provider. */
export async function createOpenAICompatibleProvider(settings: OpenAICompatibleSettings): Promise<Provider> {
  const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
  const host = new URL(settings.baseUrl).host;
  const provider = createOpenAICompatible({
    name: "openai",
    baseURL: settings.baseUrl.replace(/\/+$/, ""),
    apiKey: settings.apiKey,
    includeUsage: true,
    fetch: await createFetch(settings.proxy),
  });
  return new AiSdkProvider({
    name: "openai",
    displayName: `the OpenAI-compatible endpoint at ${host}`,
    keyVariable: settings.keyVariable,
    timeoutMs: settings.timeoutMs,
    languageModel: (modelId) => provider.chatModel(modelId),
  });
}
