import { resolve } from "node:path";
import { z } from "zod";
import { HobError } from "../errors/index.js";
import { loadRouterConfig, type RouterConfig } from "./litellm.js";
import { expandHome, type HobPaths, resolvePaths } from "./paths.js";
import { configSchema, type HobConfig } from "./schema.js";
import { dotted, type Locate, noLocation, type ParsedYaml, parseYaml, readOptional } from "./yaml-source.js";

export interface LoadedConfig {
  config: HobConfig;
  paths: HobPaths;
  /** Whether hob.yaml existed or the built-in defaults were used. */
  source: "file" | "defaults";
  anthropic: {
    apiKey: string | undefined;
    apiKeySource: "env" | "config" | undefined;
    baseUrl: string;
    baseUrlSource: "env" | "config" | "default";
  };
  ollama: { host: string; hostSource: "env" | "config" | "default" };
  /** HTTP(S) forward proxy from the environment; providers route through it. */
  proxy: { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined;
  /** litellm.yaml: deployments, fallbacks, retries, cooldowns. */
  router: RouterConfig;
  /** The research agent's search provider; BRAVE_API_KEY / SEARXNG_URL win over hob.yaml. */
  search: { provider: "none" | "searxng" | "brave"; url: string | undefined; apiKey: string | undefined };
}

/** Loads `$HOB_HOME/hob.yaml` (or defaults) and litellm.yaml, validates both, applies env overrides. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const paths = resolvePaths(env);
  const text = readOptional(paths.configFile);
  const raw: ParsedYaml = text === undefined ? { value: {}, locate: noLocation } : parseYaml(text, paths.configFile);
  const config = parseConfigObject(raw.value, paths.configFile, raw.locate);
  if (config.workspace) config.workspace = resolve(expandHome(config.workspace, env));
  return {
    config,
    paths,
    source: text === undefined ? "defaults" : "file",
    anthropic: anthropicSettings(config, env),
    ollama: ollamaSettings(config, env),
    proxy: proxyFromEnv(env),
    router: loadRouterConfig(paths.home, env),
    search: {
      provider: config.research.search.provider,
      url: env.SEARXNG_URL || config.research.search.url,
      apiKey: env.BRAVE_API_KEY || config.research.search.api_key,
    },
  };
}

/**
 * Validates a parsed config object. The first problem becomes one E_CONFIG error
 * that names the file, the line when known, and the key.
 */
export function parseConfigObject(value: unknown, file: string, locate: Locate = noLocation): HobConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HobError("E_CONFIG", `${file}: the top level must be a mapping of keys to values.`, {
      hint: "Run `hob config init --force` to write a commented example.",
    });
  }
  const result = configSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    throw new HobError(
      "E_CONFIG",
      `${file}${locate(issue.path, key)}: unknown key \`${dotted([...issue.path, key])}\`.`,
      {
        hint: "Remove it or fix its spelling; `hob config show` prints every valid key. Models belong in litellm.yaml.",
      },
    );
  }
  throw new HobError("E_CONFIG", `${file}${locate(issue.path)}: \`${dotted(issue.path)}\`: ${issue.message}.`, {
    hint: "Fix that value; `hob config show` prints the defaults.",
  });
}

function proxyFromEnv(env: NodeJS.ProcessEnv): LoadedConfig["proxy"] {
  const pick = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
  const proxy = { httpProxy: pick("HTTP_PROXY"), httpsProxy: pick("HTTPS_PROXY"), noProxy: pick("NO_PROXY") };
  return proxy.httpProxy || proxy.httpsProxy ? proxy : undefined;
}

function anthropicSettings(config: HobConfig, env: NodeJS.ProcessEnv): LoadedConfig["anthropic"] {
  const envKey = env.ANTHROPIC_API_KEY?.trim();
  const apiKey = envKey ? envKey : config.anthropic.api_key;
  const apiKeySource = envKey ? "env" : config.anthropic.api_key ? "config" : undefined;
  const envUrl = env.ANTHROPIC_BASE_URL?.trim();
  if (envUrl && !z.url().safeParse(envUrl).success) {
    throw new HobError("E_CONFIG", `ANTHROPIC_BASE_URL is not a valid URL: ${JSON.stringify(envUrl)}.`, {
      hint: "Set it to something like https://api.anthropic.com (without /v1), or unset it.",
    });
  }
  const baseUrl = (envUrl || config.anthropic.base_url).replace(/\/+$/, "");
  const baseUrlSource = envUrl
    ? "env"
    : config.anthropic.base_url !== "https://api.anthropic.com"
      ? "config"
      : "default";
  return { apiKey, apiKeySource, baseUrl, baseUrlSource };
}

/**
 * Accepts Ollama's own forms, with its rules: `host` or `host:port` without a scheme
 * defaults to port 11434; `http://host` / `https://host` use 80 / 443; 0.0.0.0 means here.
 */
export function normalizeOllamaHost(raw: string): string {
  const trimmed = raw.trim().replace(/\/+$/, "");
  const hasScheme = /^https?:\/\//.test(trimmed);
  const url = new URL(hasScheme ? trimmed : `http://${trimmed}`);
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  if (!hasScheme && !url.port) url.port = "11434";
  return url.toString().replace(/\/+$/, "");
}

function ollamaSettings(config: HobConfig, env: NodeJS.ProcessEnv): LoadedConfig["ollama"] {
  const envHost = env.OLLAMA_HOST?.trim();
  const raw = envHost || config.ollama.host;
  try {
    return {
      host: normalizeOllamaHost(raw),
      hostSource: envHost ? "env" : config.ollama.host !== "http://127.0.0.1:11434" ? "config" : "default",
    };
  } catch {
    throw new HobError(
      "E_CONFIG",
      `${envHost ? "OLLAMA_HOST" : "ollama.host"} is not a valid host: ${JSON.stringify(raw)}.`,
      {
        hint: "Use a form like 127.0.0.1:11434 or http://my-server:11434.",
      },
    );
  }
}
