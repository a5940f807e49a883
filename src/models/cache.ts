import { createHash } from "node:crypto";
import type { FinishReason, ModelRequest, ToolCallPart, Usage } from "./types.js";

/** What the response cache keeps of one model answer. */
export interface CachedResponse {
  text: string;
  toolCalls: ToolCallPart[];
  finishReason: FinishReason;
  /** The tokens the original call used (a hit saves them). */
  usage: Usage;
  provider: string;
  model: string;
  local: boolean;
  /** The model_name (tier) that answered; absent in entries written before it was kept. */
  modelName?: string;
}

/** The seam to wherever responses are cached (SQLite in the store). */
export interface ResponseCache {
  get(key: string, now: number): CachedResponse | undefined;
  put(key: string, value: CachedResponse, now: number, expiresAt: number): void;
}

/**
 * Only deterministic requests are cached: temperature 0, and no tool that changes
 * anything (a cached answer would skip the side effect).
 */
export function isCacheable(request: Omit<ModelRequest, "model">): boolean {
  return request.temperature === 0 && !(request.tools ?? []).some((tool) => tool.sideEffects !== false);
}

/** SHA-256 of the canonical request: model name, messages, tools and parameters. */
export function cacheKey(modelName: string, request: Omit<ModelRequest, "model">): string {
  const canonical = canonicalJson({
    model: modelName,
    system: request.system ?? null,
    messages: request.messages,
    tools: request.tools ?? [],
    temperature: request.temperature ?? null,
    max_output_tokens: request.maxOutputTokens ?? null,
    response_schema: request.responseSchema ?? null,
  });
  return createHash("sha256").update(canonical).digest("hex");
}

/** JSON with object keys sorted at every level, so equal requests hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
