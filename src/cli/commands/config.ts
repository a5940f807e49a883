import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";
import { CONFIG_TEMPLATE, loadConfig, resolvePaths } from "../../config/index.js";
import { HobError, mask } from "../../errors/index.js";
import { PriceTable, unpricedWarnings } from "../../models/index.js";
import { registerConfigSecrets } from "../context.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

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

/** `hob config show`: the effective config after env overrides, with every secret masked (human and --json). */
export async function configShowCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  const loaded = loadConfig(io.env);
  await registerConfigSecrets(loaded);
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
    warnings: [...loaded.router.warnings, ...unpricedWarnings(loaded.router, new PriceTable(loaded.config.pricing))],
  };
  if (options.json) writeJson(io, { config: effective, sources, router });
  else {
    io.stdout.write(`# ${sources.file ?? "no hob.yaml: built-in defaults"}\n`);
    io.stdout.write(`# api_key from ${sources.api_key ?? "nowhere"}, base_url from ${sources.base_url}\n`);
    if (sources.routing) io.stdout.write(`# ${sources.routing.keys.join(", ")} from ${sources.routing.file}\n`);
    io.stdout.write(stringify(effective));
    io.stdout.write(`\n# models and routing: ${router.file} (${router.source})\n`);
    for (const model of router.models) io.stdout.write(`#   ${model.model_name.padEnd(12)} ${model.litellm_model}\n`);
    for (const warning of router.warnings) io.stdout.write(`# warning: ${warning}\n`);
  }
  return 0;
}

/**
 * `hob config path`: where things live, with the workspace tasks actually use (hob.yaml's
 * `workspace:`, `~` expanded), the managed repository (which may not exist yet) and the router
 * config in use.
 */
export async function configPathCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  const loaded = loadConfig(io.env);
  const { home, configFile, database, managedRepo } = loaded.paths;
  const workspace = loaded.config.workspace ?? loaded.paths.workspace;
  const router = loaded.router.file;
  if (options.json) {
    writeJson(io, {
      home,
      config_file: configFile,
      database,
      workspace,
      managed_repo: managedRepo,
      router_config: router,
      router_source: loaded.router.source,
    });
  } else {
    io.stdout.write(
      `home       ${home}\nconfig     ${configFile}\ndatabase   ${database}\nworkspace  ${workspace}\n` +
        `managed    ${managedRepo}\nrouter     ${router} (${loaded.router.source})\n`,
    );
  }
  return 0;
}

export async function configInitCommand(io: CliIO, options: { json: boolean; force: boolean }): Promise<number> {
  const { configFile } = resolvePaths(io.env);
  if (existsSync(configFile) && !options.force) {
    throw new HobError("E_USAGE", `${configFile} already exists.`, {
      hint: "Edit it, or run `hob config init --force` to replace it with the defaults.",
    });
  }
  try {
    mkdirSync(dirname(configFile), { recursive: true });
    writeFileSync(configFile, CONFIG_TEMPLATE, { mode: 0o600 });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new HobError("E_CONFIG", `Cannot write ${configFile} (${reason}).`, {
      hint: "Make HOB_HOME writable (ls -ld on it and its parent), or point HOB_HOME at a folder you can write.",
      cause: error,
    });
  }
  if (options.json) writeJson(io, { written: configFile });
  else io.stdout.write(`Wrote ${configFile}\n`);
  return 0;
}
