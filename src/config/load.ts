import { readFileSync } from "node:fs";
import { type Document, isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { HobError } from "../errors/index.js";
import { type HobPaths, resolvePaths } from "./paths.js";
import { configSchema, type HobConfig } from "./schema.js";

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
  /** HTTP(S) forward proxy from the environment; providers route through it. */
  proxy: { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined;
}

/** Loads `$HOB_HOME/hob.yaml` (or defaults), validates it, and applies env overrides. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const paths = resolvePaths(env);
  let text: string | undefined;
  try {
    text = readFileSync(paths.configFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new HobError("E_CONFIG", `Cannot read ${paths.configFile}: ${(error as Error).message}.`, {
        hint: "Check the file's permissions, or remove it to use the defaults.",
        cause: error,
      });
    }
  }
  const raw: ParsedYaml = text === undefined ? { value: {}, locate: noLocation } : parseYaml(text, paths.configFile);
  const config = parseConfigObject(raw.value, paths.configFile, raw.locate);
  return {
    config,
    paths,
    source: text === undefined ? "defaults" : "file",
    anthropic: anthropicSettings(config, env),
    proxy: proxyFromEnv(env),
  };
}

type Locate = (path: ReadonlyArray<PropertyKey>, key?: string) => string;

interface ParsedYaml {
  value: unknown;
  locate: Locate;
}

const noLocation: Locate = () => "";

function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new HobError("E_CONFIG", `${file}:${line}:${col}: invalid YAML: ${first.message.split("\n")[0]}.`, {
      hint: "Fix the YAML at that line, or run `hob config init --force` to start from a fresh file.",
    });
  }
  const value = doc.toJS() ?? {};
  return { value, locate: makeLocator(doc, lineCounter) };
}

function makeLocator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, key) => {
    let offset: number | undefined;
    if (key !== undefined) {
      const parent = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
        const keyNode = pair?.key;
        if (isScalar(keyNode)) offset = keyNode.range?.[0];
      }
    } else {
      const node = doc.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
      offset = node?.range?.[0];
    }
    if (offset === undefined) return "";
    return `:${lineCounter.linePos(offset).line}`;
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
  const dotted = (path: ReadonlyArray<PropertyKey>) => path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const full = dotted([...issue.path, key]);
    throw new HobError("E_CONFIG", `${file}${locate(issue.path, key)}: unknown key \`${full}\`.`, {
      hint: "Remove it or fix its spelling; `hob config show` prints every valid key.",
    });
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
