import { type LoadedConfig, loadConfig, resolvePaths } from "../../config/index.js";
import { toHobError } from "../../errors/index.js";
import { checkAnthropic, PriceTable } from "../../models/index.js";
import { Store } from "../../store/index.js";
import { colorsFor } from "../format.js";
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

/** `hob doctor`: every line a pass, or a problem with the command or setting that fixes it. */
export async function doctorCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  const checks: Check[] = [];
  let config: LoadedConfig | undefined;
  try {
    config = loadConfig(io.env);
    checks.push(
      config.source === "file"
        ? { name: "config", status: "pass", detail: `${config.paths.configFile} is valid` }
        : {
            name: "config",
            status: "pass",
            detail: `no ${config.paths.configFile}; using the defaults`,
            hint: "`hob config init` writes a commented file to edit.",
          },
    );
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

  if (config) {
    const { apiKey, apiKeySource, baseUrl } = config.anthropic;
    if (apiKey) {
      checks.push({
        name: "api key",
        status: "pass",
        detail: `Anthropic key ${maskKey(apiKey)} from ${apiKeySource === "env" ? "ANTHROPIC_API_KEY" : "hob.yaml"}`,
      });
      const reach = await checkAnthropic({
        apiKey,
        baseUrl,
        timeoutMs: config.config.anthropic.timeout_ms,
        proxy: config.proxy,
      });
      checks.push(
        reach.ok
          ? { name: "provider", status: "pass", detail: `Anthropic answers at ${baseUrl} and accepts the key` }
          : failed("provider", reach.error),
      );
    } else {
      checks.push({
        name: "api key",
        status: "fail",
        detail: "no Anthropic API key",
        hint: "Export ANTHROPIC_API_KEY=sk-ant-... (https://console.anthropic.com/settings/keys) or set anthropic.api_key in hob.yaml.",
      });
      checks.push({ name: "provider", status: "skip", detail: "not checked without a key" });
    }
    const prices = new PriceTable(config.config.pricing);
    const unpriced = Object.values(config.config.tiers).filter((model) => !prices.lookup(model));
    checks.push(
      unpriced.length === 0
        ? { name: "pricing", status: "pass", detail: "every tier's model has a price" }
        : {
            name: "pricing",
            status: "warn",
            detail: `no price for ${unpriced.join(", ")}: its cost will show as $0`,
            hint: "Add it under `pricing:` in hob.yaml (USD per million tokens).",
          },
    );
  }

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
      io.stdout.write(`${mark[check.status]} ${check.name.padEnd(9)} ${check.detail}\n`);
      if (check.hint) io.stdout.write(`  ${" ".repeat(9)} ${c.dim(`→ ${check.hint}`)}\n`);
    }
    io.stdout.write(ok ? c.green("hob is ready.\n") : c.red("Fix the problems above, then run `hob doctor` again.\n"));
  }
  return ok ? 0 : 1;
}
