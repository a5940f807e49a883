import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { HobError } from "../errors/index.js";
import { managedRepoPath } from "./paths.js";
import { dotted, type Locate, parseYaml, readOptional } from "./yaml-source.js";

/** The router config hob ships; a user's `$HOB_HOME/config/litellm.yaml` wins over it. */
export const DEFAULT_LITELLM_FILE = fileURLToPath(new URL("../../config/litellm.yaml", import.meta.url));

export function userLitellmFile(home: string): string {
  return join(home, "config", "litellm.yaml");
}

/** The managed repository's router config, written only by an approved proposal. */
export function managedLitellmFile(home: string): string {
  return join(managedRepoPath(home), "litellm.yaml");
}

export type ProviderKind = "anthropic" | "ollama" | "openai";

/** OpenAI's API: `openai/<model>` (or an inferred `gpt-*`, `o1*`…) without `api_base` goes here. */
export const OPENAI_DEFAULT_BASE = "https://api.openai.com/v1";

/** A value that may come from `os.environ/VAR`; `envVar` is kept to name it in errors. */
export interface SecretRef {
  value: string | undefined;
  envVar?: string;
}

export interface DeploymentConfig {
  /** Unique per deployment: model_info.id, or model_name#index. */
  id: string;
  modelName: string;
  provider: ProviderKind;
  /** The model id as the provider knows it (prefix removed). */
  model: string;
  /** The LiteLLM-style name, e.g. `ollama_chat/qwen3:1.7b`. */
  litellmModel: string;
  apiBase?: SecretRef;
  apiKey?: SecretRef;
  timeoutMs?: number;
  inputCostPerToken?: number;
  outputCostPerToken?: number;
  rpm?: number;
  weight?: number;
  /**
   * A wildcard deployment (`anthropic/*`, `openai/*`, `model_name: "*"`): any model of that
   * provider. `model` keeps the pattern; the router passes the requested name through.
   */
  wildcard?: boolean;
  /** How the provider was found: a `prefix/`, or inferred from an unprefixed name as LiteLLM does. */
  providerSource?: "prefix" | "inferred";
}

export const ROUTING_STRATEGIES = [
  "simple-shuffle",
  "least-busy",
  "latency-based-routing",
  "cost-based-routing",
] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

export interface RouterSettings {
  routingStrategy: RoutingStrategy;
  numRetries: number;
  timeoutMs: number;
  fallbacks: Record<string, string[]>;
  contextWindowFallbacks: Record<string, string[]>;
  /** Failures a deployment may have in a minute; one more cools it down (LiteLLM: fails > allowed_fails). */
  allowedFails: number;
  cooldownMs: number;
  /** router_settings.model_group_alias: alias -> model_name. */
  modelGroupAlias: Record<string, string>;
  /** Aliases marked `hidden: true` (still routable; not listed). */
  hiddenAliases: string[];
}

export interface RouterConfig {
  file: string;
  /**
   * explicit: --router-config / HOB_ROUTER_CONFIG; managed: the managed repository's litellm.yaml;
   * user: $HOB_HOME/config/litellm.yaml; default: the one hob ships.
   */
  source: "explicit" | "managed" | "user" | "default";
  deployments: DeploymentConfig[];
  settings: RouterSettings;
  /** One line per key hob does not implement (the file still loads). */
  warnings: string[];
  /** Hash of the file's text: warnings are shown once per version of the file. */
  sha256: string;
}

const PROVIDER_PREFIXES: Record<string, ProviderKind> = {
  anthropic: "anthropic",
  ollama_chat: "ollama",
  ollama: "ollama",
  openai: "openai",
};

const fallbackList = z.array(z.record(z.string(), z.array(z.string())));

/** LiteLLM validates with pydantic in lax mode: a numeric string (`"1e-06"`, which PyYAML reads as a string) is a number. */
const lax = (schema: z.ZodNumber) =>
  z.preprocess(
    (value) =>
      typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value,
    schema,
  );
/** A model name: PyYAML reads `model_name: 1` or `model_name: yes` as a number or a boolean; LiteLLM uses its text. */
const nameText = z.preprocess(
  (value) => (typeof value === "number" || typeof value === "boolean" ? String(value) : value),
  z.string().min(1),
);

const paramsSchema = z.object({
  model: z.string().min(1),
  api_base: z.string().min(1).optional(),
  api_key: z.string().min(1).optional(),
  timeout: lax(z.number().positive()).optional(),
  input_cost_per_token: lax(z.number().nonnegative()).optional(),
  output_cost_per_token: lax(z.number().nonnegative()).optional(),
  rpm: lax(z.number().int().positive()).optional(),
  weight: lax(z.number().positive()).optional(),
});

const entrySchema = z.object({
  model_name: nameText,
  litellm_params: paramsSchema,
  // LiteLLM also accepts rpm at the entry level, and prices under model_info.
  rpm: lax(z.number().int().positive()).optional(),
  model_info: z
    .object({
      id: nameText.optional(),
      input_cost_per_token: lax(z.number().nonnegative()).optional(),
      output_cost_per_token: lax(z.number().nonnegative()).optional(),
    })
    .optional(),
});

/** `alias: model_name`, or `alias: { model: model_name, hidden: true }` (LiteLLM's two forms). */
const aliasMap = z.record(
  z.string(),
  z.union([z.string().min(1), z.object({ model: z.string().min(1), hidden: z.boolean().optional() })]),
);

const routerSettingsSchema = z.object({
  routing_strategy: z.string().optional(),
  num_retries: lax(z.number().int().min(0).max(10)).optional(),
  timeout: lax(z.number().positive()).optional(),
  fallbacks: fallbackList.optional(),
  context_window_fallbacks: fallbackList.optional(),
  allowed_fails: lax(z.number().int().min(0)).optional(),
  cooldown_time: lax(z.number().min(0)).optional(),
  model_group_alias: aliasMap.optional(),
});

const litellmSettingsSchema = z.object({
  num_retries: lax(z.number().int().min(0).max(10)).optional(),
  request_timeout: lax(z.number().positive()).optional(),
  fallbacks: fallbackList.optional(),
  context_window_fallbacks: fallbackList.optional(),
  allowed_fails: lax(z.number().int().min(0)).optional(),
  cooldown_time: lax(z.number().min(0)).optional(),
});

const fileSchema = z.object({
  model_list: z.array(entrySchema).min(1),
  router_settings: routerSettingsSchema.optional(),
  litellm_settings: litellmSettingsSchema.optional(),
});

/** Keys hob implements, per place in the file; every other key becomes one warning. */
const KNOWN = {
  top: new Set(["model_list", "router_settings", "litellm_settings"]),
  entry: new Set(["model_name", "litellm_params", "model_info", "rpm"]),
  params: new Set(Object.keys(paramsSchema.shape)),
  info: new Set(["id", "input_cost_per_token", "output_cost_per_token"]),
  router: new Set(Object.keys(routerSettingsSchema.shape)),
  litellm: new Set(Object.keys(litellmSettingsSchema.shape)),
};

/**
 * Loads the router config, the first that exists of: `HOB_ROUTER_CONFIG` (also set by
 * `--router-config FILE`), the managed repository's `litellm.yaml` (hob's approved
 * self-changes), the user's `$HOB_HOME/config/litellm.yaml`, the one hob ships. A user file
 * the managed one hides is named in a warning. Read again on every call: no restart needed.
 */
export function loadRouterConfig(home: string, env: NodeJS.ProcessEnv): RouterConfig {
  const explicit = env.HOB_ROUTER_CONFIG?.trim();
  if (explicit) {
    const file = resolve(explicit);
    const text = readOptional(file);
    if (text === undefined) {
      throw new HobError(
        "E_CONFIG",
        `The router config ${file} (from --router-config or HOB_ROUTER_CONFIG) does not exist.`,
        {
          hint: "Give the path of an existing LiteLLM config.yaml, or unset HOB_ROUTER_CONFIG.",
        },
      );
    }
    return parseRouterConfig(text, file, env, "explicit");
  }
  const userFile = userLitellmFile(home);
  const managedFile = managedLitellmFile(home);
  const managedText = readOptional(managedFile);
  if (managedText !== undefined) {
    const config = parseRouterConfig(managedText, managedFile, env, "managed");
    if (existsSync(userFile)) {
      config.warnings.push(
        `${userFile} is not used: ${managedFile} (from an approved self-improvement proposal) takes precedence; move your changes there with a proposal, or remove it to use yours.`,
      );
    }
    return config;
  }
  const userText = readOptional(userFile);
  if (userText !== undefined) return parseRouterConfig(userText, userFile, env, "user");
  const text = readOptional(DEFAULT_LITELLM_FILE);
  if (text === undefined) {
    throw new HobError("E_CONFIG", `hob's default router config is missing (${DEFAULT_LITELLM_FILE}).`, {
      hint: "Reinstall hob, or write your own $HOB_HOME/config/litellm.yaml.",
    });
  }
  return parseRouterConfig(text, DEFAULT_LITELLM_FILE, env, "default");
}

/**
 * The provider of a LiteLLM model string, as LiteLLM's `get_llm_provider` finds it: the
 * `prefix/`, else the well-known unprefixed names (`gpt-*`, `o1*`, `o3*`, `o4*`,
 * `chatgpt-*`, `ft:gpt-*`, `text-davinci-*` are OpenAI's; `claude-*` Anthropic's).
 * `undefined` with the provider's name when hob does not speak it.
 */
export function inferProvider(model: string): {
  provider?: ProviderKind;
  model: string;
  source: "prefix" | "inferred";
  name: string;
} {
  const slash = model.indexOf("/");
  const prefix = slash > 0 ? model.slice(0, slash) : "";
  if (prefix) {
    return { provider: PROVIDER_PREFIXES[prefix], model: model.slice(slash + 1), source: "prefix", name: prefix };
  }
  if (/^(gpt-|chatgpt-|ft:gpt-|text-davinci-|davinci|babbage|o1($|-)|o3($|-)|o4($|-))/.test(model)) {
    return { provider: "openai", model, source: "inferred", name: "openai" };
  }
  if (/^claude-/.test(model)) return { provider: "anthropic", model, source: "inferred", name: "anthropic" };
  return { model, source: "inferred", name: "unknown" };
}

/** Providers LiteLLM knows and hob does not speak, so a warning can say what they are. */
const SUPPORTED = "anthropic/, openai/ (or an unprefixed gpt-*, o1*, o3*, claude-*), ollama_chat/, ollama/";

export function parseRouterConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
  source: RouterConfig["source"] = "user",
): RouterConfig {
  // LiteLLM reads its config with PyYAML: YAML 1.1 (`1_000`, `yes`/`no`, `on`/`off`).
  const { value, locate } = parseYaml(text, file, { version: "1.1" });
  const result = fileSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const where = issue.path.length > 0 ? `\`${dotted(issue.path)}\`: ` : "";
    throw new HobError("E_CONFIG", `${file}${locate(issue.path)}: ${where}${issue.message}.`, {
      hint: "Fix that entry; LiteLLM's config format is described at https://docs.litellm.ai/docs/proxy/configs.",
    });
  }
  const warnings = unknownKeyWarnings(value as Record<string, unknown>, file, locate);
  const data = result.data;
  const deployments: DeploymentConfig[] = [];
  const ids = new Set<string>();
  data.model_list.forEach((entry, index) => {
    const params = entry.litellm_params;
    const where = `${file}${locate(["model_list", index, "litellm_params"], "model")}`;
    const inferred = inferProvider(params.model);
    const provider = inferred.provider;
    if (!provider) {
      warnings.push(
        inferred.source === "prefix"
          ? `${where}: model "${params.model}" uses the ${inferred.name}/ provider, which hob does not speak (${SUPPORTED}); deployment "${entry.model_name}" skipped.`
          : `${where}: model "${params.model}" names no provider hob can infer (${SUPPORTED}); deployment "${entry.model_name}" skipped.`,
      );
      return;
    }
    const wildcard = entry.model_name.includes("*") || inferred.model.includes("*");
    let id = entry.model_info?.id ?? `${entry.model_name}#${index}`;
    if (ids.has(id)) {
      warnings.push(
        `${file}${locate(["model_list", index, "model_info"], "id")}: model_info.id "${id}" is used twice; this one is ${id}#${index}.`,
      );
      id = `${id}#${index}`;
    }
    ids.add(id);
    deployments.push({
      id,
      modelName: entry.model_name,
      provider,
      model: inferred.model,
      litellmModel: inferred.source === "prefix" ? params.model : `${provider}/${params.model}`,
      apiBase: params.api_base === undefined ? undefined : resolveSecret(params.api_base, env),
      apiKey: params.api_key === undefined ? undefined : resolveSecret(params.api_key, env),
      timeoutMs: params.timeout === undefined ? undefined : params.timeout * 1000,
      inputCostPerToken: params.input_cost_per_token ?? entry.model_info?.input_cost_per_token,
      outputCostPerToken: params.output_cost_per_token ?? entry.model_info?.output_cost_per_token,
      rpm: params.rpm ?? entry.rpm,
      weight: params.weight,
      providerSource: inferred.source,
      ...(wildcard ? { wildcard: true } : {}),
    });
  });
  const router = data.router_settings ?? {};
  const legacy = data.litellm_settings ?? {};
  let strategy: RoutingStrategy = "simple-shuffle";
  if (router.routing_strategy !== undefined) {
    if ((ROUTING_STRATEGIES as readonly string[]).includes(router.routing_strategy)) {
      strategy = router.routing_strategy as RoutingStrategy;
    } else {
      warnings.push(
        `${file}${locate(["router_settings"], "routing_strategy")}: routing_strategy "${router.routing_strategy}" is not implemented by hob; using simple-shuffle.`,
      );
    }
  }
  const names = new Set(deployments.map((d) => d.modelName));
  const patterns = deployments.filter((d) => d.wildcard).map((d) => d.modelName);
  const known = (name: string) => names.has(name) || patterns.some((pattern) => matchWildcard(pattern, name));
  const { aliases, hidden } = readAliases(router.model_group_alias, known, warnings, file, locate);
  const routable = (name: string) => known(name) || name in aliases;
  const fallbacks = flattenFallbacks(router.fallbacks ?? legacy.fallbacks, routable, warnings, file, "fallbacks");
  const contextWindowFallbacks = flattenFallbacks(
    router.context_window_fallbacks ?? legacy.context_window_fallbacks,
    routable,
    warnings,
    file,
    "context_window_fallbacks",
  );
  return {
    file,
    source,
    deployments,
    warnings,
    sha256: createHash("sha256").update(text).digest("hex"),
    settings: {
      routingStrategy: strategy,
      numRetries: router.num_retries ?? legacy.num_retries ?? 2,
      timeoutMs: (router.timeout ?? legacy.request_timeout ?? 60) * 1000,
      fallbacks,
      contextWindowFallbacks,
      allowedFails: router.allowed_fails ?? legacy.allowed_fails ?? 3,
      cooldownMs: (router.cooldown_time ?? legacy.cooldown_time ?? 5) * 1000,
      modelGroupAlias: aliases,
      hiddenAliases: hidden,
    },
  };
}

/**
 * Whether a requested name matches a wildcard model_name, as LiteLLM's pattern router:
 * `*` matches any text (`anthropic/*` matches `anthropic/claude-haiku-4-5`; `*` matches all).
 * Returns the texts the stars stood for, or undefined.
 */
export function matchWildcard(pattern: string, name: string): string[] | undefined {
  if (!pattern.includes("*")) return pattern === name ? [] : undefined;
  const regex = new RegExp(`^${pattern.split("*").map(escapeRegExp).join("(.*)")}$`);
  const match = regex.exec(name);
  return match ? match.slice(1) : undefined;
}

/**
 * The model a wildcard deployment calls for a requested name: each `*` of its
 * litellm_params.model takes what the model_name's stars matched (LiteLLM's rule);
 * `model_name: "*"` with `openai/*` passes `gpt-4o` (or `openai/gpt-4o`) through as `gpt-4o`.
 */
export function wildcardModel(deployment: DeploymentConfig, requested: string): string | undefined {
  const parts = matchWildcard(deployment.modelName, requested);
  if (!parts) return undefined;
  if (!deployment.model.includes("*")) return deployment.model;
  let index = 0;
  const model = deployment.model.replace(/\*/g, () => parts[index++] ?? "");
  // `model_name: "*"` gets the whole requested name: drop a provider prefix it repeats.
  const prefix = `${deployment.provider}/`;
  const concrete = model.startsWith(prefix) ? model.slice(prefix.length) : model;
  return concrete && !concrete.includes("*") ? concrete : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function readAliases(
  raw: Record<string, string | { model: string; hidden?: boolean }> | undefined,
  known: (name: string) => boolean,
  warnings: string[],
  file: string,
  locate: Locate,
): { aliases: Record<string, string>; hidden: string[] } {
  const aliases: Record<string, string> = {};
  const hidden: string[] = [];
  for (const [alias, target] of Object.entries(raw ?? {})) {
    const model = typeof target === "string" ? target : target.model;
    if (!known(model)) {
      warnings.push(
        `${file}${locate(["router_settings", "model_group_alias"], alias)}: model_group_alias "${alias}" names "${model}", which is not a model_name in model_list; ignored.`,
      );
      continue;
    }
    aliases[alias] = model;
    if (typeof target === "object" && target.hidden) hidden.push(alias);
  }
  return { aliases, hidden };
}

/** `os.environ/NAME` reads the environment, as in LiteLLM; anything else is literal. */
function resolveSecret(raw: string, env: NodeJS.ProcessEnv): SecretRef {
  const match = /^os\.environ\/(\w+)$/.exec(raw);
  if (!match) return { value: raw };
  const name = match[1] as string;
  const value = env[name];
  return { value: value === undefined || value === "" ? undefined : value, envVar: name };
}

function flattenFallbacks(
  list: Array<Record<string, string[]>> | undefined,
  routable: (name: string) => boolean,
  warnings: string[],
  file: string,
  key: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const item of list ?? []) {
    for (const [from, to] of Object.entries(item)) {
      for (const name of [from, ...to]) {
        if (!routable(name)) warnings.push(`${file}: ${key} names "${name}", which is not a model_name in model_list.`);
      }
      out[from] = [...(out[from] ?? []), ...to.filter((name) => routable(name))];
    }
  }
  return out;
}

function unknownKeyWarnings(value: Record<string, unknown>, file: string, locate: Locate): string[] {
  const warnings: string[] = [];
  const check = (object: unknown, known: Set<string>, path: Array<string | number>) => {
    if (typeof object !== "object" || object === null || Array.isArray(object)) return;
    for (const key of Object.keys(object)) {
      if (!known.has(key)) {
        warnings.push(`${file}${locate(path, key)}: \`${dotted([...path, key])}\` is not implemented by hob; ignored.`);
      }
    }
  };
  check(value, KNOWN.top, []);
  const list = Array.isArray(value.model_list) ? value.model_list : [];
  list.forEach((entry: unknown, index: number) => {
    check(entry, KNOWN.entry, ["model_list", index]);
    const e = entry as Record<string, unknown>;
    check(e.litellm_params, KNOWN.params, ["model_list", index, "litellm_params"]);
    check(e.model_info, KNOWN.info, ["model_list", index, "model_info"]);
  });
  check(value.router_settings, KNOWN.router, ["router_settings"]);
  check(value.litellm_settings, KNOWN.litellm, ["litellm_settings"]);
  return warnings;
}

/**
 * Local means no money and no data leaving the machine: Ollama (on OLLAMA_HOST, or on a
 * loopback api_base), or an OpenAI-compatible api_base on loopback. An Ollama deployment
 * with its own api_base elsewhere is remote: not assumed free unless priced at 0.
 * Only a deployment's own api_base counts; ANTHROPIC_BASE_URL / OPENAI_BASE_URL stand in
 * for the real provider.
 */
export function isLocalDeployment(deployment: DeploymentConfig, _config?: unknown): boolean {
  if (deployment.provider === "anthropic") return false;
  const base = deployment.apiBase?.value;
  if (!base) return deployment.provider === "ollama";
  return isLoopback(deployment.provider === "ollama" && !/^https?:\/\//.test(base) ? `http://${base}` : base);
}

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host === "::1" || host === "[::1]" || host === "0.0.0.0" || /^127\./.test(host);
  } catch {
    return false;
  }
}
