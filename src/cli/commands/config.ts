import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";
import { CONFIG_TEMPLATE, loadConfig, resolvePaths } from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import { routerWarnings } from "../../models/index.js";
import { toConfigJson } from "../../shapes/index.js";
import { registerConfigSecrets } from "../context.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

/** `hob config show`: the effective config after env overrides, with every secret masked (human and --json). */
export async function configShowCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  const loaded = loadConfig(io.env);
  await registerConfigSecrets(loaded);
  const { config: effective, sources, router } = toConfigJson(loaded, routerWarnings(loaded));
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
