import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RouterConfig, SecretRef } from "./litellm.js";
import type { HobConfig } from "./schema.js";

/**
 * The validated result of reading hob.yaml, the managed routing.yaml and the router config
 * (litellm.yaml), kept as JSON in `$HOB_HOME/config-cache.json` so that a command does not parse
 * YAML and run the schemas on every start when nothing changed.
 *
 * It can never serve a stale or unvalidated config:
 * - it is written only after the files validated, and only when the result survives a JSON round
 *   trip unchanged;
 * - its key hashes the content (or absence) of every file config loading may read, the
 *   environment that decides which files and how paths resolve (HOB_HOME, HOME,
 *   HOB_ROUTER_CONFIG, the working directory), hob's version and the config code itself
 *   (size and mtime of its modules), so a changed byte anywhere misses;
 * - what comes from the environment (API keys, base URLs, hosts, proxies, `os.environ/NAME`
 *   secrets of litellm.yaml) is never stored: it is applied again on every load;
 * - a file that does not parse, or whose key differs, is ignored and rebuilt; it is replaced
 *   atomically (write, then rename), readable by the owner only.
 */
export interface CachedConfig {
  config: HobConfig;
  source: "file" | "defaults";
  managedRouting: { file: string; keys: string[] } | undefined;
  router: RouterConfig;
}

const FORMAT = 1;
export const CONFIG_CACHE_FILE = "config-cache.json";

/** Everything that config loading reads from files and the environment besides the overrides it applies each time. */
export function configCacheKey(
  home: string,
  files: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): string {
  const hash = createHash("sha256");
  const part = (label: string, value: string | undefined) => {
    hash.update(`${label}\0${value === undefined ? "\u0001absent" : value}\0`);
  };
  part("format", String(FORMAT));
  part("version", hobVersion());
  part("code", codeIdentity());
  part("home", home);
  part("cwd", cwd);
  for (const name of ["HOME", "HOB_ROUTER_CONFIG"]) part(`env:${name}`, env[name]);
  for (const file of files) part(`file:${file}`, readIfExists(file));
  return hash.digest("hex");
}

/** The file's text, undefined when it does not exist, and a never-matching marker when it cannot be read. */
function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Unreadable: never a hit, so loading reports it as it always did.
    return `\u0002unreadable ${randomBytes(8).toString("hex")}`;
  }
}

let version: string | undefined;
function hobVersion(): string {
  // The package's root is two folders up from this module in src/config, dist/config and dist/bundle alike.
  version ??= readIfExists(fileURLToPath(new URL("../../package.json", import.meta.url))) ?? "unknown";
  return createHash("sha256").update(version).digest("hex");
}

/** The config code as built: a rebuilt hob (new defaults, new schema) misses the cache even at the same version. */
function codeIdentity(): string {
  const self = fileURLToPath(import.meta.url);
  const siblings = ["load", "schema", "litellm"].flatMap((name) => [`${name}.js`, `${name}.ts`]);
  return [self, ...siblings.map((name) => join(self, "..", name))]
    .map((file) => {
      try {
        const stat = statSync(file);
        return `${file}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return "";
      }
    })
    .join("|");
}

/** The cached config for this key, or undefined (missing, unreadable, corrupt, or another key). */
export function readConfigCache(home: string, key: string, env: NodeJS.ProcessEnv): CachedConfig | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(home, CONFIG_CACHE_FILE), "utf8"));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const entry = parsed as { format?: unknown; key?: unknown; value?: unknown };
  if (entry.format !== FORMAT || entry.key !== key) return undefined;
  const value = entry.value as Partial<CachedConfig> | null;
  if (typeof value !== "object" || value === null) return undefined;
  if (typeof value.config !== "object" || value.config === null) return undefined;
  if (typeof value.router !== "object" || value.router === null || !Array.isArray(value.router.deployments)) {
    return undefined;
  }
  if (value.source !== "file" && value.source !== "defaults") return undefined;
  return { ...(value as CachedConfig), router: withSecrets(value.router, env) };
}

/** Stores a validated config under this key; any failure leaves things as they were (it is only a cache). */
export function writeConfigCache(home: string, key: string, value: CachedConfig): void {
  if (!existsSync(home)) return; // never create HOB_HOME just for the cache
  const stored = { ...value, router: withoutSecrets(value.router) };
  const text = JSON.stringify({ format: FORMAT, key, value: stored });
  // Only what JSON carries exactly (no Infinity, no NaN, no class instances) is worth caching.
  if (!sameData(JSON.parse(text).value, stored)) return;
  const file = join(home, CONFIG_CACHE_FILE);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was written.
    }
  }
}

/** Secrets read from the environment (`os.environ/NAME`) are kept as the name only. */
function withoutSecrets(router: RouterConfig): RouterConfig {
  const strip = (ref: SecretRef | undefined) =>
    ref?.envVar === undefined ? ref : ({ value: undefined, envVar: ref.envVar } satisfies SecretRef);
  return {
    ...router,
    deployments: router.deployments.map((d) => ({ ...d, apiKey: strip(d.apiKey), apiBase: strip(d.apiBase) })),
  };
}

/** …and read from the environment again on load, as litellm.ts resolves them. */
function withSecrets(router: RouterConfig, env: NodeJS.ProcessEnv): RouterConfig {
  const fill = (ref: SecretRef | undefined): SecretRef | undefined => {
    if (ref?.envVar === undefined) return ref;
    const value = env[ref.envVar];
    return { value: value === undefined || value === "" ? undefined : value, envVar: ref.envVar };
  };
  return {
    ...router,
    deployments: router.deployments.map((d) => ({ ...d, apiKey: fill(d.apiKey), apiBase: fill(d.apiBase) })),
  };
}

/** Deep equality of plain data, where a property holding undefined counts as absent (as in JSON). */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(b) !== Object.prototype && !Array.isArray(b)) return false;
  const keys = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ak = keys(a);
  const bk = keys(b);
  if (ak.length !== bk.length) return false;
  return bk.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
