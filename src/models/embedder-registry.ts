/**
 * Embedders are variants chosen by name, like providers (registry.ts). Where a spec
 * leaves out the base URL or key, they come from the same environment variables the
 * chat providers use: OLLAMA_HOST, OPENAI_BASE_URL / OPENAI_API_BASE, OPENAI_API_KEY.
 * `builtin` runs in-process (builtin-embedder.ts): no server, no key, model `hash-384`.
 */
import { normalizeOllamaHost } from "../config/index.js";
import { HobError, registerSecrets } from "../errors/index.js";
import { BUILTIN_EMBEDDER_MODEL, createBuiltinEmbedder } from "./builtin-embedder.js";
import { createOllamaEmbedder, createOpenAICompatibleEmbedder, type Embedder } from "./embedder.js";
import type { ProxySettings } from "./http.js";

export type EmbedderKind = "builtin" | "ollama" | "openai" | "openai-compatible";

/** What a config names: snake_case, like litellm_params. */
export interface EmbedderSpec {
  provider: EmbedderKind;
  /** Required, except for `builtin`, where it defaults to `hash-384`. */
  model?: string;
  base_url?: string;
  api_key?: string;
}

export interface EmbedderOptions {
  timeoutMs?: number;
  proxy?: ProxySettings;
}

/** A spec whose model is known: given, or the kind's default. */
export type ResolvedEmbedderSpec = EmbedderSpec & { model: string };

export type EmbedderFactory = (
  spec: ResolvedEmbedderSpec,
  env: NodeJS.ProcessEnv,
  options: EmbedderOptions,
) => Embedder;

export const DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434";
export const DEFAULT_OPENAI_BASE = "https://api.openai.com/v1";

const factories = new Map<string, EmbedderFactory>([
  [
    "builtin",
    (spec) => {
      if (spec.model !== BUILTIN_EMBEDDER_MODEL) {
        throw new HobError("E_CONFIG", `The builtin embedder has no model ${JSON.stringify(spec.model)}.`, {
          hint: `Leave the model out, or name ${BUILTIN_EMBEDDER_MODEL}.`,
        });
      }
      if (spec.base_url !== undefined || spec.api_key !== undefined) {
        throw new HobError("E_CONFIG", "The builtin embedder runs inside hob and takes no base_url or api_key.", {
          hint: "Remove base_url and api_key, or choose the ollama or openai-compatible embedder.",
        });
      }
      return createBuiltinEmbedder();
    },
  ],
  [
    "ollama",
    (spec, env, options) =>
      createOllamaEmbedder({
        baseUrl: ollamaBase(spec, env),
        model: spec.model,
        apiKey: spec.api_key,
        keyVariable: "the embedder's api_key",
        ...options,
      }),
  ],
  [
    "openai",
    (spec, env, options) => {
      const apiKey = spec.api_key ?? (env.OPENAI_API_KEY?.trim() || undefined);
      const keyVariable = spec.api_key ? "the embedder's api_key" : "OPENAI_API_KEY";
      if (!apiKey && !spec.base_url) {
        throw new HobError("E_NO_API_KEY", "No OpenAI API key is set for embeddings.", {
          hint: "Export OPENAI_API_KEY=sk-... (https://platform.openai.com/api-keys), or give the embedder an api_key.",
        });
      }
      const envBase = (env.OPENAI_BASE_URL || env.OPENAI_API_BASE)?.trim();
      const baseUrl = url(
        spec.base_url ?? (envBase || DEFAULT_OPENAI_BASE),
        spec.base_url ? "base_url" : "OPENAI_BASE_URL",
      );
      return createOpenAICompatibleEmbedder({ baseUrl, model: spec.model, apiKey, keyVariable, ...options });
    },
  ],
  [
    "openai-compatible",
    (spec, _env, options) => {
      if (!spec.base_url) {
        throw new HobError("E_CONFIG", `The openai-compatible embedder for ${spec.model} has no base_url.`, {
          hint: "Set base_url to the endpoint's address including /v1, e.g. http://127.0.0.1:4000/v1.",
        });
      }
      return createOpenAICompatibleEmbedder({
        baseUrl: url(spec.base_url, "base_url"),
        model: spec.model,
        apiKey: spec.api_key,
        keyVariable: "the embedder's api_key",
        ...options,
      });
    },
  ],
]);

/** Builds the embedder a spec names. Throws E_CONFIG / E_NO_API_KEY; makes no request. */
export function createEmbedder(spec: EmbedderSpec, env: NodeJS.ProcessEnv, options: EmbedderOptions = {}): Embedder {
  // Any message that would echo the key is redacted from here on.
  registerSecrets(spec.api_key);
  const model = spec.model ?? (spec.provider === "builtin" ? BUILTIN_EMBEDDER_MODEL : undefined);
  if (!model?.trim()) {
    throw new HobError("E_CONFIG", "The embedder has no model.", {
      hint: "Name an embedding model, e.g. nomic-embed-text (Ollama) or text-embedding-3-small (OpenAI), or use the builtin embedder.",
    });
  }
  const factory = factories.get(spec.provider);
  if (!factory) {
    throw new HobError("E_CONFIG", `No embedder is registered for ${JSON.stringify(spec.provider)}.`, {
      hint: `Use one of: ${[...factories.keys()].join(", ")}.`,
    });
  }
  return factory({ ...spec, model }, env, options);
}

export function registerEmbedder(kind: EmbedderKind, factory: EmbedderFactory): void {
  factories.set(kind, factory);
}

function ollamaBase(spec: EmbedderSpec, env: NodeJS.ProcessEnv): string {
  const envHost = env.OLLAMA_HOST?.trim();
  const raw = spec.base_url ?? (envHost || DEFAULT_OLLAMA_HOST);
  try {
    return normalizeOllamaHost(raw);
  } catch {
    throw new HobError(
      "E_CONFIG",
      `${spec.base_url ? "The embedder's base_url" : "OLLAMA_HOST"} is not a valid host: ${JSON.stringify(raw)}.`,
      { hint: "Use a form like 127.0.0.1:11434 or http://my-server:11434." },
    );
  }
}

function url(raw: string, name: string): string {
  try {
    const parsed = new URL(raw.trim());
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http");
    return raw.trim().replace(/\/+$/, "");
  } catch {
    throw new HobError("E_CONFIG", `${name} is not a valid URL: ${JSON.stringify(raw)}.`, {
      hint: "Use a form like https://api.openai.com/v1 or http://127.0.0.1:4000/v1.",
    });
  }
}
