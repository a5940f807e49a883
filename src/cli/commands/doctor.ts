import { type LoadedConfig, loadConfig, resolvePaths, TIERS } from "../../config/index.js";
import { toHobError } from "../../errors/index.js";
import {
  checkAnthropic,
  checkOllama,
  createFetch,
  hasModel,
  isLocalDeployment,
  ollamaHostOf,
  openaiEndpointOf,
  PriceTable,
  Router,
  unpricedWarnings,
} from "../../models/index.js";
import { findBubblewrap, noSandboxError } from "../../sandbox/index.js";
import { Store } from "../../store/index.js";
import { colorsFor, plural } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

type CheckStatus = "pass" | "warn" | "fail" | "skip";

interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

function failed(name: string, thrown: unknown): Check {
  const error = toHobError(thrown);
  return {
    name,
    status: "fail",
    detail: `[${error.code}] ${error.message}`,
    ...(error.hint ? { hint: error.hint } : {}),
  };
}

function maskKey(key: string): string {
  return key.length <= 12 ? "****" : `${key.slice(0, 7)}…${key.slice(-4)}`;
}

async function providerChecks(config: LoadedConfig): Promise<Check[]> {
  const checks: Check[] = [];
  const deployments = config.router.deployments;
  const timeoutMs = Math.min(config.router.settings.timeoutMs, 10_000);

  const ollamaModels = deployments.filter((d) => d.provider === "ollama");
  if (ollamaModels.length > 0) {
    const status = await checkOllama(config.ollama.host, config.proxy);
    if (!status.ok) {
      const down = failed("ollama", status.error);
      checks.push({ ...down, status: "warn", detail: `${down.detail} Local tiers fall back to the cloud.` });
    } else {
      checks.push({ name: "ollama", status: "pass", detail: `Ollama answers at ${config.ollama.host}` });
      for (const deployment of ollamaModels) {
        checks.push(
          hasModel(status.models, deployment.model)
            ? { name: deployment.modelName, status: "pass", detail: `${deployment.model} is pulled` }
            : {
                name: deployment.modelName,
                status: "warn",
                detail: `${deployment.model} is not pulled; ${deployment.modelName} falls back to the cloud`,
                hint: `ollama pull ${deployment.model}`,
              },
        );
      }
    }
  }

  const anthropicModels = deployments.filter((d) => d.provider === "anthropic");
  if (anthropicModels.length > 0) {
    const apiKey = anthropicModels[0]?.apiKey?.value ?? config.anthropic.apiKey;
    if (apiKey) {
      checks.push({ name: "api key", status: "pass", detail: `Anthropic key ${maskKey(apiKey)} is set` });
      const reach = await checkAnthropic({ apiKey, baseUrl: config.anthropic.baseUrl, timeoutMs, proxy: config.proxy });
      checks.push(
        reach.ok
          ? {
              name: "anthropic",
              status: "pass",
              detail: `Anthropic answers at ${config.anthropic.baseUrl} and accepts the key`,
            }
          : failed("anthropic", reach.error),
      );
    } else {
      checks.push({
        name: "api key",
        status: ollamaModels.length > 0 ? "warn" : "fail",
        detail: "no Anthropic API key: cloud tiers cannot run",
        hint: "Export ANTHROPIC_API_KEY=sk-ant-... (https://console.anthropic.com/settings/keys) or set anthropic.api_key in hob.yaml.",
      });
    }
  }

  const tierChecks = await tierDeploymentChecks(config, timeoutMs);
  checks.push(...tierChecks);
  // Warnings are fine while something can answer; nothing at all is a failure.
  const usable =
    (tierChecks.length > 0 && tierChecks.every((c) => c.status === "pass")) ||
    checks.some((c) => c.status === "pass" && (c.name === "anthropic" || c.detail.endsWith(" is pulled")));
  if (!usable) {
    checks.push({
      name: "models",
      status: "fail",
      detail: "no model can answer: no local model is available and no cloud key works",
      hint: "Either start Ollama (https://ollama.com) and `ollama pull qwen3:1.7b`, or export ANTHROPIC_API_KEY=sk-ant-...",
    });
  }

  const prices = new PriceTable(config.config.pricing);
  const unpriced = deployments.filter(
    (d) =>
      !isLocalDeployment(d, config) &&
      d.inputCostPerToken === undefined &&
      d.outputCostPerToken === undefined &&
      !prices.lookup(d.model),
  );
  checks.push(
    unpriced.length === 0
      ? { name: "pricing", status: "pass", detail: "every cloud model has a price" }
      : {
          name: "pricing",
          status: "warn",
          detail: `no price for ${unpriced.map((d) => d.model).join(", ")}: its cost will show as $0`,
          hint: "Add it under `pricing:` in hob.yaml (USD per million tokens) or as input_cost_per_token in litellm.yaml.",
        },
  );
  return checks;
}

/**
 * The deployments the four tiers map to, each checked the way it will be called (its own
 * api_base and key): Ollama `/api/tags` (and the model pulled), Anthropic `/v1/models`
 * (a 404 still means the endpoint answers), OpenAI-compatible `/models`. No tokens spent.
 */
async function tierDeploymentChecks(config: LoadedConfig, timeoutMs: number): Promise<Check[]> {
  const router = new Router({ config, prices: new PriceTable(config.config.pricing) });
  const checks: Check[] = [];
  const seen = new Map<string, Check>();
  for (const tier of TIERS) {
    const resolved = router.resolve(tier);
    if (!resolved) {
      checks.push({ name: `tier ${tier}`, status: "fail", detail: "no model can take this tier" });
      continue;
    }
    const results: Check[] = [];
    for (const d of router.deployments(tier)) {
      let result = seen.get(d.id);
      if (!result) {
        result = await checkDeployment(config, d, timeoutMs);
        seen.set(d.id, result);
      }
      results.push(result);
    }
    const ok = results.some((r) => r.status === "pass");
    checks.push({
      name: `tier ${tier}`,
      status: ok ? "pass" : "warn",
      detail: `${resolved.group} (${resolved.source}): ${results.map((r) => r.detail).join("; ")}`,
      ...(ok ? {} : { hint: results.flatMap((r) => (r.hint ? [r.hint] : [])).join("\n") || undefined }),
    });
  }
  return checks;
}

async function checkDeployment(
  config: LoadedConfig,
  d: LoadedConfig["router"]["deployments"][number],
  timeoutMs: number,
): Promise<Check> {
  const name = d.id;
  if (d.provider === "ollama") {
    const host = ollamaHostOf(d, config);
    const status = await checkOllama(host, config.proxy, d.apiKey?.value);
    if (!status.ok) return { ...failed(name, status.error), status: "warn" };
    return hasModel(status.models, d.model)
      ? { name, status: "pass", detail: `${d.model} at ${host} answers` }
      : { name, status: "warn", detail: `${d.model} is not pulled at ${host}`, hint: `ollama pull ${d.model}` };
  }
  if (d.provider === "anthropic") {
    const baseUrl = (d.apiBase?.value ?? config.anthropic.baseUrl).replace(/\/+$/, "").replace(/\/v1$/, "");
    const reach = await checkAnthropic({
      apiKey: d.apiKey?.value ?? config.anthropic.apiKey,
      baseUrl,
      timeoutMs,
      proxy: config.proxy,
    });
    // A gateway without /v1/models still answers.
    if (reach.ok || reach.status === 404) return { name, status: "pass", detail: `${d.model} at ${baseUrl} answers` };
    return { ...failed(name, reach.error), status: "warn" };
  }
  const { baseUrl, apiKey } = openaiEndpointOf(d, config);
  try {
    const fetcher = await createFetch(config.proxy);
    const response = await fetcher(`${baseUrl.replace(/\/+$/, "")}/models`, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(Math.min(timeoutMs, 10_000)),
    });
    await response.body?.cancel();
    if (response.ok || response.status === 404)
      return { name, status: "pass", detail: `${d.model} at ${baseUrl} answers` };
    return {
      name,
      status: "warn",
      detail: `${baseUrl} answered ${response.status}`,
      hint: response.status === 401 ? "Check the deployment's api_key (or OPENAI_API_KEY)." : undefined,
    };
  } catch (error) {
    return { name, status: "warn", detail: `cannot reach ${baseUrl} (${(error as Error).message})` };
  }
}

/** Skills run only under bubblewrap (or, explicitly and loudly, with none). */
function sandboxCheck(config: LoadedConfig): Check {
  if (config.config.sandbox.mode === "none") {
    return {
      name: "sandbox",
      status: "warn",
      detail: "sandbox.mode is none: skills run with no isolation",
      hint: "Remove `sandbox: { mode: none }` from hob.yaml.",
    };
  }
  const bwrap = findBubblewrap();
  return bwrap
    ? { name: "sandbox", status: "pass", detail: `bubblewrap at ${bwrap}: skills run isolated` }
    : {
        ...failed("sandbox", noSandboxError()),
        status: "warn",
        detail: "bubblewrap is not installed: skills cannot run",
      };
}

/** `hob doctor`: every line a pass, or a problem with the command or setting that fixes it. */
export async function doctorCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  const checks: Check[] = [];
  let config: LoadedConfig | undefined;
  try {
    // A broken hob.yaml fails its check, and the other checks go on with the defaults.
    // So does a broken routing.yaml in the managed repository (left out: hob.yaml's routing is used).
    const fileErrors: unknown[] = [];
    config = loadConfig(io.env, {
      onFileError: (error) => {
        fileErrors.push(error);
      },
    });
    if (fileErrors.length > 0) {
      for (const fileError of fileErrors) {
        const check = failed("config", fileError);
        const managed = fileError instanceof Error && fileError.message.includes(config.paths.managedRepo);
        checks.push({
          ...check,
          detail: `${check.detail} (${managed ? "left out: hob.yaml's routing is used" : "the checks below use the defaults"})`,
        });
      }
    } else {
      checks.push({
        name: "config",
        status: "pass",
        detail:
          config.source === "file"
            ? `${config.paths.configFile} is valid${managedNote(config)}`
            : `no ${config.paths.configFile}; using the defaults${managedNote(config)}`,
      });
    }
    const warnings = [
      ...config.router.warnings,
      ...unpricedWarnings(config.router, new PriceTable(config.config.pricing)),
    ];
    checks.push({
      name: "router",
      status: warnings.length > 0 ? "warn" : "pass",
      detail: `${config.router.file} (${config.router.source}): ${plural(config.router.deployments.length, "deployment")}, models ${[...new Set(config.router.deployments.map((d) => d.modelName))].join(", ")}`,
      ...(warnings.length > 0 ? { hint: warnings.join("\n") } : {}),
    });
  } catch (error) {
    checks.push(failed("config", error));
  }

  const paths = config?.paths ?? resolvePaths(io.env);
  try {
    const store = Store.open(paths.database);
    try {
      // Takes the write lock and lets go: fails on a read-only file or directory.
      store.db.exec("BEGIN IMMEDIATE; ROLLBACK;");
      checks.push({
        name: "database",
        status: "pass",
        detail: `${paths.database} is writable (schema v${store.schemaVersion})`,
      });
    } finally {
      store.close();
    }
  } catch (error) {
    checks.push(failed("database", error));
  }

  if (config) checks.push(...(await providerChecks(config)), sandboxCheck(config));

  const ok = checks.every((check) => check.status !== "fail");
  if (options.json) {
    writeJson(io, { ok, checks });
  } else {
    const c = colorsFor(io.stdout, io.env);
    const mark: Record<CheckStatus, string> = {
      pass: c.green("✓"),
      warn: c.yellow("!"),
      fail: c.red("✗"),
      skip: c.dim("-"),
    };
    for (const check of checks) {
      io.stdout.write(`${mark[check.status]} ${check.name.padEnd(10)} ${check.detail}\n`);
      for (const line of check.hint?.split("\n") ?? []) io.stdout.write(`  ${" ".repeat(10)} ${c.dim(`→ ${line}`)}\n`);
    }
    io.stdout.write(ok ? c.green("hob is ready.\n") : c.red("Fix the problems above, then run `hob doctor` again.\n"));
  }
  return ok ? 0 : 1;
}

/** The routing keys the managed repository's routing.yaml sets, when it does. */
function managedNote(config: LoadedConfig): string {
  const managed = config.managedRouting;
  return managed ? `; ${managed.file} sets routing ${managed.keys.join(", ")}` : "";
}
