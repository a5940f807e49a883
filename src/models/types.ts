/**
 * The provider seam. Every model backend (Anthropic now; Ollama and OpenAI-compatible
 * endpoints next) implements `Provider`; the rest of hob sees only these types.
 */

export interface TextPart {
  type: "text";
  text: string;
}

export interface ToolCallPart {
  type: "tool-call";
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export interface ToolResultPart {
  type: "tool-result";
  toolCallId: string;
  toolName: string;
  output: string;
  isError?: boolean;
}

export type Message =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string | Array<TextPart | ToolCallPart> }
  | { role: "tool"; content: ToolResultPart[] };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the tool's input object. */
  inputSchema: Record<string, unknown>;
  /** False for tools that only read; a request with a side-effecting tool is never cached. */
  sideEffects?: boolean;
}

export interface ModelRequest {
  model: string;
  system?: string;
  messages: Message[];
  tools?: ToolSpec[];
  maxOutputTokens?: number;
  temperature?: number;
  /** Ask for JSON matching this JSON Schema (Ollama `format`, structured output elsewhere). */
  responseSchema?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface Usage {
  /** Input tokens not served from or written to the prompt cache. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export type FinishReason = "stop" | "length" | "tool-calls" | "content-filter" | "error" | "other";

export type StreamPart =
  | { type: "text-delta"; text: string }
  | { type: "tool-call"; toolCallId: string; toolName: string; input: unknown }
  | { type: "finish"; finishReason: FinishReason; usage: Usage };

export interface ModelResponse {
  text: string;
  toolCalls: ToolCallPart[];
  finishReason: FinishReason;
  usage: Usage;
}

export interface Provider {
  /** Registry name, e.g. `anthropic`. */
  readonly name: string;
  /** Streams one model call. Errors are thrown as HobError with a stable code. */
  stream(request: ModelRequest): AsyncIterable<StreamPart>;
  /** One model call answered as a whole (non-streaming endpoint). */
  generate(request: ModelRequest): Promise<ModelResponse>;
}

export const ZERO_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});
