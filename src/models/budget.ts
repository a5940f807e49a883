import { estimateTokens } from "../context/index.js";
import type { ModelRequest, Usage } from "./types.js";

/**
 * The router's seam to spend budgets. Before each call to a cloud deployment the router asks
 * for a reservation of the call's worst-case cost; the guard throws E_BUDGET when a budget
 * cannot take it. The reservation is released once the call's actual cost has been handed to
 * the caller (which records it), or when the call was not made after all.
 */
export interface SpendGuard {
  reserve(call: SpendRequest): SpendReservation;
}

export interface SpendRequest {
  /** The task the call is made for (per-task budgets); undefined outside a task. */
  taskId: string | undefined;
  /** USD at most; null when the model has no known price (a guard refuses it: it cannot be bounded). */
  worstCaseUsd: number | null;
  /** The model id called, and the model group (tier) asked for, for messages. */
  model: string;
  modelName: string;
}

export interface SpendReservation {
  release(): void;
}

/** Tokens a message costs beyond its text (role markers, block framing), generously. */
const PER_MESSAGE_TOKENS = 16;
/**
 * Tokens a provider adds when tools are offered (Anthropic's tool-use system prompt is about
 * 350 tokens), generously.
 */
const TOOLS_TOKENS = 600;

/**
 * The most a request can use: its input estimated high (hob's token estimate, which errs high
 * against real tokenizers, over the system prompt, every message and every tool's schema, plus
 * framing), and its output at `maxOutputTokens` (the caller sets it: the provider cannot answer
 * with more). Priced at the input rate, not a cache-write rate: hob does not ask for prompt caching.
 */
export function worstCaseUsage(
  request: Pick<ModelRequest, "system" | "messages" | "tools">,
  maxOutputTokens: number,
): Usage {
  let input = estimateTokens(request.system ?? "") + PER_MESSAGE_TOKENS;
  for (const message of request.messages) {
    input += PER_MESSAGE_TOKENS;
    if (typeof message.content === "string") {
      input += estimateTokens(message.content);
      continue;
    }
    for (const part of message.content) {
      input += PER_MESSAGE_TOKENS;
      if (part.type === "text") input += estimateTokens(part.text);
      else if (part.type === "tool-call") input += estimateTokens(part.toolName + JSON.stringify(part.input ?? null));
      else input += estimateTokens(part.toolName + part.output);
    }
  }
  if (request.tools && request.tools.length > 0) {
    input += TOOLS_TOKENS;
    for (const tool of request.tools) {
      input += PER_MESSAGE_TOKENS + estimateTokens(tool.name + tool.description + JSON.stringify(tool.inputSchema));
    }
  }
  return { inputTokens: input, outputTokens: maxOutputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 };
}
