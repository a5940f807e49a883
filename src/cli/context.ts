import type { LoadedConfig } from "../config/index.js";
import type { Store } from "../store/index.js";
import { colorsFor } from "./format.js";
import type { CliIO } from "./io.js";
import { warnOnceAboutRouterConfig } from "./warnings.js";

export interface CommandContext {
  config: LoadedConfig;
  store: Store;
}

/**
 * Loads config and opens the store for a command. Heavy modules are imported here,
 * never at start-up, so `hob --help` does not pay for SQLite or zod.
 */
export async function openContext(io: CliIO, options: { json: boolean }): Promise<CommandContext> {
  const { loadConfig } = await import("../config/index.js");
  const { Store } = await import("../store/index.js");
  const config = loadConfig(io.env);
  await registerConfigSecrets(config);
  if (!options.json) warnOnceAboutRouterConfig(io, config);
  const store = Store.open(config.paths.database);
  if (store.interruptedOnOpen > 0 && !options.json) {
    const c = colorsFor(io.stderr, io.env);
    const n = store.interruptedOnOpen;
    io.stderr.write(
      c.yellow(`note: ${n} task${n === 1 ? " was" : "s were"} interrupted before finishing; see \`hob history\`.\n`),
    );
  }
  return { config, store };
}

/**
 * Tells the redactor every secret this config holds (the Anthropic key, the Brave key,
 * each `api_key` in litellm.yaml), so an error that echoes one is redacted wherever it
 * is built, stored or printed.
 */
export async function registerConfigSecrets(config: LoadedConfig): Promise<void> {
  const { registerSecrets } = await import("../errors/index.js");
  registerSecrets(
    config.anthropic.apiKey,
    config.search.apiKey,
    ...config.router.deployments.map((d) => d.apiKey?.value),
  );
}
