import type { LoadedConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";

/**
 * When every route failed because no local model answers and no cloud key is set,
 * one message names both ways to get going (instead of the last error alone).
 */
export function noModelAvailable(
  failures: Array<{ local: boolean; model: string; error_code?: string }>,
  config: LoadedConfig,
): HobError | undefined {
  const localDown = failures.some(
    (f) => f.local && (f.error_code === "E_NETWORK" || f.error_code === "E_MODEL_MISSING"),
  );
  const noKey = failures.some((f) => !f.local && f.error_code === "E_NO_API_KEY");
  if (!localDown || !noKey) return undefined;
  const missing = failures.find((f) => f.local && f.error_code === "E_MODEL_MISSING");
  const local = missing
    ? `Ollama at ${config.ollama.host} does not have ${missing.model}`
    : `no local model answers at ${config.ollama.host}`;
  return new HobError("E_NO_API_KEY", `No model is available: ${local}, and no Anthropic API key is set.`, {
    hint: missing
      ? `Either run \`ollama pull ${missing.model}\`, or export ANTHROPIC_API_KEY=sk-ant-... for Claude.`
      : "Either start Ollama (https://ollama.com) and `ollama pull qwen3:1.7b`, or export ANTHROPIC_API_KEY=sk-ant-... for Claude.",
  });
}
