import type { HobError } from "../errors/index.js";
import type { Usage } from "./types.js";

/**
 * What a provider reported of a call's usage before it ended early (cancelled, cut, timed
 * out). Anthropic sends the input tokens in `message_start` and the output so far in each
 * `message_delta`; a call stopped after that was billed for them, so hob records them
 * instead of zeros. The usage travels with the error, keyed by the error object.
 */
const reported = new WeakMap<HobError, Usage>();

export function withReportedUsage(error: HobError, usage: Usage | undefined): HobError {
  if (usage) reported.set(error, usage);
  return error;
}

export function reportedUsage(error: HobError): Usage | undefined {
  return reported.get(error);
}

interface RawUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/** Folds one raw SSE chunk (as the AI SDK passes it with includeRawChunks) into the usage so far. */
export function foldRawUsage(current: Usage | undefined, raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== "object") return current;
  const chunk = raw as { type?: string; message?: { usage?: RawUsage }; usage?: RawUsage };
  const usage =
    chunk.type === "message_start" ? chunk.message?.usage : chunk.type === "message_delta" ? chunk.usage : undefined;
  if (!usage) return current;
  const base = current ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  return {
    inputTokens: usage.input_tokens ?? base.inputTokens,
    outputTokens: usage.output_tokens ?? base.outputTokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? base.cacheReadTokens,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? base.cacheWriteTokens,
  };
}
