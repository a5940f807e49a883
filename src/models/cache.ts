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

/**
 * A request as the semantic cache sees it: everything but the last user message must be the
 * same (`scope`, a hash), and the last message's text must mean the same (`text`, embedded).
 */
export interface SemanticProbe {
  scope: string;
  text: string;
}

/** The seam to wherever responses are cached (SQLite in the store). */
export interface ResponseCache {
  get(key: string, now: number): CachedResponse | undefined;
  put(key: string, value: CachedResponse, now: number, expiresAt: number): void;
  /** Semantic mode: the cached answer of a near-duplicate request in the same scope, and how alike they are. */
  similar?(probe: SemanticProbe, now: number): Promise<{ value: CachedResponse; score: number } | undefined>;
  /** Semantic mode: file the request that `key` answers, for later near-duplicates. */
  remember?(probe: SemanticProbe, key: string, now: number): Promise<void>;
}

/**
 * The semantic probe of a request whose last message is the user's text, or undefined (a tool
 * result, or content parts: only a plain question is answered by similarity).
 */
export function semanticProbe(
  modelName: string,
  request: Omit<ModelRequest, "model">,
  system?: string,
): SemanticProbe | undefined {
  const last = request.messages.at(-1);
  if (!last || last.role !== "user" || typeof last.content !== "string") return undefined;
  const scope = cacheKey(modelName, {
    ...request,
    ...(system === undefined ? {} : { system }),
    messages: request.messages.slice(0, -1),
  });
  return { scope, text: last.content };
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
