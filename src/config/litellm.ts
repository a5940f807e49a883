import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { HobError } from "../errors/index.js";
import { dotted, type Locate, parseYaml, readOptional } from "./yaml-source.js";

/** The router config hob ships; a user's `$HOB_HOME/config/litellm.yaml` wins over it. */
export const DEFAULT_LITELLM_FILE = fileURLToPath(new URL("../../config/litellm.yaml", import.meta.url));

export function userLitellmFile(home: string): string {
  return join(home, "config", "litellm.yaml");
}

export type ProviderKind = "anthropic" | "ollama" | "openai";

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
  allowedFails: number;
  cooldownMs: number;
}

export interface RouterConfig {
  file: string;
  source: "user" | "default";
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

const paramsSchema = z.object({
  model: z.string().min(1),
  api_base: z.string().min(1).optional(),
  api_key: z.string().min(1).optional(),
  timeout: z.number().positive().optional(),
  input_cost_per_token: z.number().nonnegative().optional(),
  output_cost_per_token: z.number().nonnegative().optional(),
  rpm: z.number().int().positive().optional(),
  weight: z.number().positive().optional(),
});

const entrySchema = z.object({
  model_name: z.string().min(1),
  litellm_params: paramsSchema,
  // LiteLLM also accepts rpm at the entry level, and prices under model_info.
  rpm: z.number().int().positive().optional(),
  model_info: z
    .object({
      id: z.string().min(1).optional(),
      input_cost_per_token: z.number().nonnegative().optional(),
      output_cost_per_token: z.number().nonnegative().optional(),
    })
    .optional(),
});

const routerSettingsSchema = z.object({
  routing_strategy: z.string().optional(),
  num_retries: z.number().int().min(0).max(10).optional(),
  timeout: z.number().positive().optional(),
  fallbacks: fallbackList.optional(),
  context_window_fallbacks: fallbackList.optional(),
  allowed_fails: z.number().int().min(0).optional(),
  cooldown_time: z.number().min(0).optional(),
});

const litellmSettingsSchema = z.object({
  num_retries: z.number().int().min(0).max(10).optional(),
  request_timeout: z.number().positive().optional(),
  fallbacks: fallbackList.optional(),
  context_window_fallbacks: fallbackList.optional(),
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

/** Loads the user's litellm.yaml, or the one hob ships. */
export function loadRouterConfig(home: string, env: NodeJS.ProcessEnv): RouterConfig {
  const userFile = userLitellmFile(home);
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

export function parseRouterConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
  source: RouterConfig["source"] = "user",
): RouterConfig {
  const { value, locate } = parseYaml(text, file);
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
  data.model_list.forEach((entry, index) => {
    const params = entry.litellm_params;
    const slash = params.model.indexOf("/");
    const prefix = slash > 0 ? params.model.slice(0, slash) : "";
    const provider = PROVIDER_PREFIXES[prefix];
    if (!provider) {
      warnings.push(
        `${file}${locate(["model_list", index, "litellm_params"], "model")}: model "${params.model}" uses a provider hob does not support (anthropic/, ollama_chat/, ollama/, openai/); deployment skipped.`,
      );
      return;
    }
    if (provider === "openai" && !params.api_base) {
      throw new HobError(
        "E_CONFIG",
        `${file}${locate(["model_list", index, "litellm_params"], "model")}: \`model_list[${index}]\` (${params.model}) needs an api_base.`,
        { hint: "Set litellm_params.api_base to the OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1." },
      );
    }
    deployments.push({
      id: entry.model_info?.id ?? `${entry.model_name}#${index}`,
      modelName: entry.model_name,
      provider,
      model: params.model.slice(slash + 1),
      litellmModel: params.model,
      apiBase: params.api_base === undefined ? undefined : resolveSecret(params.api_base, env),
      apiKey: params.api_key === undefined ? undefined : resolveSecret(params.api_key, env),
      timeoutMs: params.timeout === undefined ? undefined : params.timeout * 1000,
      inputCostPerToken: params.input_cost_per_token ?? entry.model_info?.input_cost_per_token,
      outputCostPerToken: params.output_cost_per_token ?? entry.model_info?.output_cost_per_token,
      rpm: params.rpm ?? entry.rpm,
      weight: params.weight,
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
  const fallbacks = flattenFallbacks(router.fallbacks ?? legacy.fallbacks, names, warnings, file, "fallbacks");
  const contextWindowFallbacks = flattenFallbacks(
    router.context_window_fallbacks ?? legacy.context_window_fallbacks,
    names,
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
      allowedFails: router.allowed_fails ?? 3,
      cooldownMs: (router.cooldown_time ?? 5) * 1000,
    },
  };
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
  names: Set<string>,
  warnings: string[],
  file: string,
  key: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const item of list ?? []) {
    for (const [from, to] of Object.entries(item)) {
      for (const name of [from, ...to]) {
        if (!names.has(name))
          warnings.push(`${file}: ${key} names "${name}", which is not a model_name in model_list.`);
      }
      out[from] = [...(out[from] ?? []), ...to.filter((name) => names.has(name))];
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
