import { join, resolve } from "node:path";
import { z } from "zod";
import { HobError } from "../errors/index.js";
import { type CachedConfig, configCacheKey, readConfigCache, writeConfigCache } from "./cache.js";
import {
  DEFAULT_LITELLM_FILE,
  loadRouterConfig,
  managedLitellmFile,
  matchWildcard,
  OPENAI_DEFAULT_BASE,
  type RouterConfig,
  userLitellmFile,
} from "./litellm.js";
import { expandHome, type HobPaths, resolvePaths } from "./paths.js";
import { configSchema, type HobConfig, routingSchema } from "./schema.js";
import { dotted, type Locate, noLocation, type ParsedYaml, parseYaml, readOptional } from "./yaml-source.js";

export interface LoadedConfig {
  config: HobConfig;
  paths: HobPaths;
  /**
   * The environment the config was loaded from: MCP servers fill `${VAR}` from it (and only
   * from it). Optional for configs built by hand.
   */
  env?: NodeJS.ProcessEnv;
  /** Whether hob.yaml existed or the built-in defaults were used. */
  source: "file" | "defaults";
  /**
   * The managed repository's `routing.yaml` when it exists: its file and the routing keys it set
   * (dotted, e.g. `tiers.simple.code`), which win over hob.yaml's.
   */
  managedRouting: { file: string; keys: string[] } | undefined;
  anthropic: {
    apiKey: string | undefined;
    apiKeySource: "env" | "config" | undefined;
    baseUrl: string;
    baseUrlSource: "env" | "config" | "default";
  };
  ollama: { host: string; hostSource: "env" | "config" | "default" };
  /** OpenAI's API, for `openai/<model>` without api_base: OPENAI_BASE_URL / OPENAI_API_BASE, OPENAI_API_KEY. */
  openai: { baseUrl: string; baseUrlSource: "env" | "default"; apiKey: string | undefined };
  /** HTTP(S) forward proxy from the environment; providers route through it. */
  proxy: { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined;
  /** litellm.yaml: deployments, fallbacks, retries, cooldowns. */
  router: RouterConfig;
  /** The research agent's search provider; BRAVE_API_KEY / SEARXNG_URL win over hob.yaml. */
  search: { provider: "none" | "searxng" | "brave"; url: string | undefined; apiKey: string | undefined };
}

/**
 * Loads `$HOB_HOME/hob.yaml` (or defaults) and litellm.yaml, validates both, applies env overrides.
 * `onFileError` (for `hob doctor`) gets a broken hob.yaml's error and the built-in defaults are used
 * instead; likewise a broken managed `routing.yaml` is reported there and left out.
 *
 * Routing settings, highest first: the environment (none today: routing has no env override), the
 * managed repository's `routing.yaml` (hob's approved self-changes, so they win over the file the
 * user wrote once), hob.yaml's `routing:`, the defaults. The managed file is merged key by key:
 * mappings deep, everything else replaced. Every call reads the files again, so a long-running
 * process that loads the config again sees a change without a restart.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { onFileError?: (error: HobError) => void } = {},
): LoadedConfig {
  const paths = resolvePaths(env);
  // `hob doctor` (onFileError) wants every problem reported: it always reads the files.
  if (options.onFileError) return withEnvironment(readConfigFiles(paths, env, options), paths, env);
  const key = configCacheKey(paths.home, configInputFiles(paths, env), env);
  const cached = readConfigCache(paths.home, key, env);
  if (cached) return withEnvironment(cached, paths, env);
  const read = readConfigFiles(paths, env, options);
  writeConfigCache(paths.home, key, read);
  return withEnvironment(read, paths, env);
}

/** Every file config loading may read, whether it exists or not (the config cache's key hashes them all). */
function configInputFiles(paths: HobPaths, env: NodeJS.ProcessEnv): string[] {
  const explicit = env.HOB_ROUTER_CONFIG?.trim();
  return [
    paths.configFile,
    join(paths.managedRepo, MANAGED_ROUTING_FILE),
    ...(explicit ? [resolve(explicit)] : []),
    managedLitellmFile(paths.home),
    userLitellmFile(paths.home),
    DEFAULT_LITELLM_FILE,
  ];
}

/** The overrides and settings that come from the environment, applied on every load (never cached). */
function withEnvironment(read: CachedConfig, paths: HobPaths, env: NodeJS.ProcessEnv): LoadedConfig {
  const config = { ...read.config, budgets: budgetsFromEnv(read.config.budgets, env) };
  return {
    ...read,
    config,
    paths,
    // MCP servers expand ${VAR} from it when they start; it is never written to the config cache.
    env,
    anthropic: anthropicSettings(config, env),
    ollama: ollamaSettings(config, env),
    openai: openaiSettings(env),
    proxy: proxyFromEnv(env),
    search: {
      provider: config.research.search.provider,
      url: env.SEARXNG_URL || config.research.search.url,
      apiKey: env.BRAVE_API_KEY || config.research.search.api_key,
    },
  };
}

/** The environment variables that override `budgets:` keys (`off` or `none` removes a limit). */
export const BUDGET_ENV = {
  daily_usd: "HOB_BUDGET_DAILY_USD",
  monthly_usd: "HOB_BUDGET_MONTHLY_USD",
  per_task_usd: "HOB_BUDGET_PER_TASK_USD",
} as const;

function budgetsFromEnv(budgets: HobConfig["budgets"], env: NodeJS.ProcessEnv): HobConfig["budgets"] {
  let result = budgets;
  for (const [key, variable] of Object.entries(BUDGET_ENV) as Array<[keyof typeof BUDGET_ENV, string]>) {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === "") continue;
    const { [key]: _dropped, ...rest } = result;
    if (/^(off|none)$/i.test(raw)) {
      result = rest;
      continue;
    }
    const value = Number(raw.replace(/^\$/, ""));
    if (!Number.isFinite(value) || value < 0) {
      throw new HobError("E_CONFIG", `${variable}="${raw}" is not an amount in USD.`, {
        hint: `Set it to a number such as 1.50 (or off to remove the limit), or unset it to use budgets.${key} in hob.yaml.`,
      });
    }
    result = { ...rest, [key]: value };
  }
  return result;
}

/** hob.yaml, the managed routing.yaml and the router config, parsed and validated. */
function readConfigFiles(
  paths: HobPaths,
  env: NodeJS.ProcessEnv,
  options: { onFileError?: (error: HobError) => void },
): CachedConfig {
  let text: string | undefined;
  let config: HobConfig;
  let locate: Locate = noLocation;
  try {
    text = readOptional(paths.configFile);
    const raw: ParsedYaml = text === undefined ? { value: {}, locate: noLocation } : parseYaml(text, paths.configFile);
    locate = raw.locate;
    config = parseConfigObject(raw.value, paths.configFile, raw.locate);
  } catch (error) {
    if (!options.onFileError || !(error instanceof HobError)) throw error;
    options.onFileError(error);
    text = undefined;
    config = parseConfigObject({}, paths.configFile);
  }
  if (config.workspace) config.workspace = resolve(expandHome(config.workspace, env));
  let managedRouting: ManagedRouting | undefined;
  try {
    managedRouting = readManagedRouting(paths.managedRepo, config.routing);
  } catch (error) {
    if (!options.onFileError || !(error instanceof HobError)) throw error;
    options.onFileError(error);
  }
  if (managedRouting) config.routing = managedRouting.routing;
  const router = loadRouterConfig(paths.home, env);
  checkTierModels(config, router, (key) =>
    managedRouting?.keys.includes(`models.${key}`)
      ? `${managedRouting.file}${managedRouting.locate(["models"], key)}`
      : `${paths.configFile}${locate(["routing", "models"], key)}`,
  );
  return {
    config,
    source: text === undefined ? "defaults" : "file",
    managedRouting: managedRouting ? { file: managedRouting.file, keys: managedRouting.keys } : undefined,
    router,
  };
}

interface ManagedRouting {
  file: string;
  keys: string[];
  locate: Locate;
  routing: HobConfig["routing"];
}

/**
 * The managed repository's `routing.yaml` merged over `base` (hob.yaml's routing block with its
 * defaults), validated with the same strict schema; undefined when the file does not exist.
 * Errors name routing.yaml and the line, as hob.yaml's do.
 */
export function readManagedRouting(repo: string, base: HobConfig["routing"]): ManagedRouting | undefined {
  const file = join(repo, MANAGED_ROUTING_FILE);
  const text = readOptional(file);
  if (text === undefined) return undefined;
  const { value, locate } = parseYaml(text, file);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HobError("E_CONFIG", `${file}: the top level must be a mapping of routing keys to values.`, {
      hint: "It holds the keys of hob.yaml's `routing:` block, without the `routing:` line.",
    });
  }
  const result = routingSchema.safeParse(deepMerge(base, value));
  if (!result.success) {
    throw validationError(result.error, file, locate, {
      unknownKeyHint: " (it holds only the keys of hob.yaml's `routing:` block, without the `routing:` line)",
      otherwise: `\`git -C ${repo} log -- ${MANAGED_ROUTING_FILE}\` shows the change that wrote it.`,
    });
  }
  return { file, keys: leafKeys(value), locate, routing: result.data };
}

/** The managed repository's routing settings file. */
export const MANAGED_ROUTING_FILE = "routing.yaml";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `over` on top of `base`: mappings are merged key by key, anything else replaces. Keys are
 * defined as own properties, so a `__proto__` key stays a key (and the strict schema refuses it).
 */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = Object.hasOwn(base, key) ? base[key] : undefined;
    Object.defineProperty(merged, key, {
      value: deepMerge(below, value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return merged;
}

/** The dotted paths of a mapping's leaves: `{ tiers: { simple: { code: x } } }` → `tiers.simple.code`. */
function leafKeys(value: unknown, prefix = ""): string[] {
  if (!isPlainObject(value)) return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([key, child]) => leafKeys(child, prefix ? `${prefix}.${key}` : key));
}

/** A remote model with no price is never recorded as free: say so once (with the file's other warnings). */
/** `routing.models` may name only what the router config has: a model_name, an alias, or a wildcard match. */
function checkTierModels(config: HobConfig, router: RouterConfig, where: (tier: string) => string): void {
  for (const [tier, name] of Object.entries(config.routing.models)) {
    if (name === undefined || routerKnows(router, name)) continue;
    const names = [...new Set(router.deployments.map((d) => d.modelName))];
    throw new HobError(
      "E_CONFIG",
      `${where(tier)}: \`routing.models.${tier}\` names "${name}", which ${router.file} does not have.`,
      { hint: `Use one of its model names: ${names.join(", ")}.` },
    );
  }
}

/** Whether a name can be routed: a model_name, a model_group_alias, or a match of a wildcard model_name. */
export function routerKnows(router: RouterConfig, name: string): boolean {
  if (name in router.settings.modelGroupAlias) return true;
  return router.deployments.some((d) => d.modelName === name || (d.wildcard && matchWildcard(d.modelName, name)));
}

function openaiSettings(env: NodeJS.ProcessEnv): LoadedConfig["openai"] {
  const envUrl = (env.OPENAI_BASE_URL || env.OPENAI_API_BASE)?.trim();
  if (envUrl && !z.url().safeParse(envUrl).success) {
    throw new HobError("E_CONFIG", `OPENAI_BASE_URL is not a valid URL: ${JSON.stringify(envUrl)}.`, {
      hint: "Set it to something like https://api.openai.com/v1, or unset it.",
    });
  }
  return {
    baseUrl: (envUrl || OPENAI_DEFAULT_BASE).replace(/\/+$/, ""),
    baseUrlSource: envUrl ? "env" : "default",
    apiKey: env.OPENAI_API_KEY?.trim() || undefined,
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
  throw validationError(result.error, file, locate, {
    unknownKeyHint: " (remove an unknown key or fix its spelling; models belong in litellm.yaml)",
    otherwise:
      "Every valid key, with its default, is in the commented file `hob config init` writes (in an empty HOB_HOME, or with --force to replace yours).",
  });
}

/** Every problem at once, each with its line, so one edit fixes them all: one E_CONFIG error. */
function validationError(
  error: z.ZodError,
  file: string,
  locate: Locate,
  hints: { unknownKeyHint: string; otherwise: string },
): HobError {
  const problems = error.issues.map((issue: z.core.$ZodIssue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const at = locate(issue.path, key);
        return { at, text: `${file}${at}: unknown key \`${dotted([...issue.path, key])}\`` };
      });
    }
    const at = locate(issue.path);
    return [{ at, text: `${file}${at}: \`${dotted(issue.path)}\`: ${issue.message}` }];
  });
  const flat = problems.flat();
  const lines = [...new Set(flat.map((p) => p.at.slice(1)).filter(Boolean))];
  const where = lines.length === 0 ? file : `${file} at line${lines.length === 1 ? "" : "s"} ${lines.join(", ")}`;
  const unknownKey = error.issues.some((issue) => issue.code === "unrecognized_keys");
  return new HobError(
    "E_CONFIG",
    flat.length === 1
      ? `${flat[0]?.text}.`
      : `${flat.length} problems in ${file}:\n${flat.map((p) => `  ${p.text}`).join("\n")}`,
    { hint: `Edit ${where}${unknownKey ? hints.unknownKeyHint : ""}. ${hints.otherwise}` },
  );
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
