import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3FinishReason,
  LanguageModelV3Message,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import { startCall } from "./call-control.js";
import { toProviderError } from "./errors.js";
import { foldRawUsage, withReportedUsage } from "./partial-usage.js";
import type {
  FinishReason,
  Message,
  ModelRequest,
  ModelResponse,
  Provider,
  StreamPart,
  ToolCallPart,
  Usage,
} from "./types.js";

export interface AiSdkProviderOptions {
  /** Registry name, e.g. `anthropic`. */
  name: string;
  /** Human name used in error messages. */
  displayName: string;
  /** Env var holding the key, named in hints. */
  keyVariable: string;
  /** What to say when the endpoint cannot be reached. */
  unreachableHint?: string;
  /** Builds the AI SDK model for a model id (the provider package is loaded lazily by the caller). */
  languageModel: (modelId: string) => LanguageModelV3;
  /** No response, or no streamed chunk, for this long aborts the call as E_TIMEOUT. */
  timeoutMs: number;
}

/**
 * Adapts any AI SDK LanguageModelV3 (Anthropic, later Ollama and OpenAI-compatible)
 * to hob's Provider: one place for timeouts, cancellation and error mapping.
 */
export class AiSdkProvider implements Provider {
  readonly name: string;

  constructor(private readonly options: AiSdkProviderOptions) {
    this.name = options.name;
  }

  async *stream(request: ModelRequest): AsyncGenerator<StreamPart> {
    const call = startCall(request.signal, this.options.timeoutMs, {
      provider: this.options.displayName,
      keyVariable: this.options.keyVariable,
      unreachableHint: this.options.unreachableHint,
    });
    let reader: ReadableStreamDefaultReader<unknown> | undefined;
    let partial: Usage | undefined;
    try {
      const model = this.options.languageModel(request.model);
      // Raw chunks carry the usage the provider reports before the end (see partial-usage.ts).
      const { stream } = await model.doStream({ ...toCallOptions(request, call.signal), includeRawChunks: true });
      call.alive();
      reader = stream.getReader();
      let finished = false;
      for (;;) {
        const { done, value: part } = await reader.read();
        if (done) break;
        call.alive();
        const typed = part as Parameters<typeof mapPart>[0];
        if (typed.type === "raw") {
          partial = foldRawUsage(partial, (typed as { rawValue?: unknown }).rawValue);
          continue;
        }
        if (typed.type === "error" && "error" in typed) throw typed.error;
        const mapped = mapPart(typed);
        if (!mapped) continue;
        if (mapped.type === "finish") finished = true;
        yield mapped;
      }
      if (!finished) throw new TypeError("terminated: the stream ended without a finish event");
    } catch (error) {
      throw withReportedUsage(toProviderError(error, call.context()), partial);
    } finally {
      call.end();
      reader?.cancel().catch(() => undefined);
    }
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const call = startCall(request.signal, this.options.timeoutMs, {
      provider: this.options.displayName,
      keyVariable: this.options.keyVariable,
      unreachableHint: this.options.unreachableHint,
    });
    try {
      const model = this.options.languageModel(request.model);
      const result = await model.doGenerate(toCallOptions(request, call.signal));
      let text = "";
      const toolCalls: ToolCallPart[] = [];
      for (const part of result.content) {
        if (part.type === "text") text += part.text;
        else if (part.type === "tool-call") {
          toolCalls.push({
            type: "tool-call",
            toolCallId: part.toolCallId,
            toolName: part.toolName,
            input: parseToolInput(part.input),
          });
        }
      }
      return { text, toolCalls, finishReason: mapFinish(result.finishReason), usage: mapUsage(result.usage) };
    } catch (error) {
      throw toProviderError(error, call.context());
    } finally {
      call.end();
    }
  }
}

function toCallOptions(request: ModelRequest, abortSignal: AbortSignal): LanguageModelV3CallOptions {
  const prompt: LanguageModelV3Message[] = [];
  if (request.system) prompt.push({ role: "system", content: request.system });
  for (const message of request.messages) prompt.push(toPromptMessage(message));
  return {
    prompt,
    maxOutputTokens: request.maxOutputTokens,
    temperature: request.temperature,
    responseFormat: request.responseSchema ? { type: "json", schema: request.responseSchema } : undefined,
    abortSignal,
    tools: request.tools?.map((tool) => ({
      type: "function" as const,
      name: tool.name,
      description: tool.description,
      inputSchema: tool.inputSchema,
    })),
  };
}

function toPromptMessage(message: Message): LanguageModelV3Message {
  switch (message.role) {
    case "user":
      return { role: "user", content: [{ type: "text", text: message.content }] };
    case "assistant":
      return {
        role: "assistant",
        content: typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content,
      };
    case "tool":
      return {
        role: "tool",
        content: message.content.map((part) => ({
          type: "tool-result" as const,
          toolCallId: part.toolCallId,
          toolName: part.toolName,
          output: part.isError
            ? { type: "error-text" as const, value: part.output }
            : { type: "text" as const, value: part.output },
        })),
      };
  }
}

type V3Part =
  | { type: "text-delta"; delta: string }
  | { type: "tool-call"; toolCallId: string; toolName: string; input: string }
  | { type: "finish"; usage: LanguageModelV3Usage; finishReason: LanguageModelV3FinishReason }
  | { type: "error"; error: unknown }
  | { type: string };

function mapPart(part: V3Part): StreamPart | undefined {
  if (part.type === "text-delta" && "delta" in part) return { type: "text-delta", text: part.delta };
  if (part.type === "tool-call" && "toolCallId" in part) {
    return {
      type: "tool-call",
      toolCallId: part.toolCallId,
      toolName: part.toolName,
      input: parseToolInput(part.input),
    };
  }
  if (part.type === "finish" && "usage" in part) {
    if (part.finishReason.raw === undefined && part.finishReason.unified === "other") {
      // The provider closed the stream without saying why it stopped: the answer was cut.
      throw new TypeError("terminated: the stream ended before the model finished");
    }
    return { type: "finish", finishReason: mapFinish(part.finishReason), usage: mapUsage(part.usage) };
  }
  return undefined;
}

function parseToolInput(input: string): unknown {
  try {
    return JSON.parse(input === "" ? "{}" : input);
  } catch {
    return input;
  }
}

function mapFinish(reason: LanguageModelV3FinishReason): FinishReason {
  return reason.unified;
}

export function mapUsage(usage: LanguageModelV3Usage): Usage {
  const cacheRead = usage.inputTokens.cacheRead ?? 0;
  const cacheWrite = usage.inputTokens.cacheWrite ?? 0;
  const noCache = usage.inputTokens.noCache ?? Math.max(0, (usage.inputTokens.total ?? 0) - cacheRead - cacheWrite);
  return {
    inputTokens: noCache,
    outputTokens: usage.outputTokens.total ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
}
