import { randomUUID } from "node:crypto";
import type { ChatResponse, Message as OllamaMessage, Tool as OllamaTool } from "ollama";
import { HobError } from "../errors/index.js";
import { startCall } from "./call-control.js";
import { type ErrorContext, fromStatus, parseRetryAfter, toProviderError } from "./errors.js";
import { createFetch, type ProxySettings } from "./http.js";
import type {
  FinishReason,
  Message,
  ModelRequest,
  ModelResponse,
  Provider,
  StreamPart,
  ToolCallPart,
} from "./types.js";

export interface OllamaSettings {
  /** e.g. http://127.0.0.1:11434 (OLLAMA_HOST, normalised). */
  host: string;
  timeoutMs: number;
  proxy?: ProxySettings;
  /** litellm_params.api_key: sent as `Authorization: Bearer` (an Ollama behind a gateway). */
  apiKey?: string;
}

/**
 * Ollama's native `/api/chat` (ndjson streaming, tool calls, JSON-schema `format`)
 * through the official `ollama` client. Two things are added around it: our own
 * AbortSignal per request (the client cancels only whole streams), and JSON error
 * bodies (on a non-JSON error the client logs to stdout, which would break --json).
 */
export async function createOllamaProvider(settings: OllamaSettings): Promise<Provider> {
  const { Ollama } = await import("ollama");
  const baseFetch = await createFetch(settings.proxy);
  const displayName = `Ollama at ${new URL(settings.host).host}`;
  return new OllamaProvider(
    settings,
    displayName,
    (fetcher) => new Ollama({ host: settings.host, fetch: fetcher }) as unknown as Client,
    baseFetch,
  );
}

/** What one call has seen: whether its stream began, and the retry-after of an error response. */
interface Seen {
  started: boolean;
  retryAfterMs?: number;
}

type Client = { chat: (request: Record<string, unknown>) => Promise<unknown> };

class OllamaProvider implements Provider {
  readonly name = "ollama";

  constructor(
    private readonly settings: OllamaSettings,
    private readonly displayName: string,
    private readonly makeClient: (fetcher: typeof fetch) => Client,
    private readonly baseFetch: typeof fetch,
  ) {}

  async *stream(request: ModelRequest): AsyncGenerator<StreamPart> {
    const call = startCall(request.signal, this.settings.timeoutMs, this.names());
    const seen: Seen = { started: false };
    try {
      const client = this.makeClient(this.boundFetch(call.signal, seen));
      const chunks = (await client.chat({ ...this.body(request), stream: true })) as AsyncIterable<ChatResponse>;
      call.alive();
      seen.started = true;
      let sawToolCall = false;
      for await (const chunk of chunks) {
        call.alive();
        if (chunk.message?.content) yield { type: "text-delta", text: chunk.message.content };
        for (const toolCall of toToolCalls(chunk)) {
          sawToolCall = true;
          yield {
            type: "tool-call",
            toolCallId: toolCall.toolCallId,
            toolName: toolCall.toolName,
            input: toolCall.input,
          };
        }
        if (chunk.done) {
          yield { type: "finish", finishReason: finishReason(chunk, sawToolCall), usage: usageOf(chunk) };
          return;
        }
      }
      throw new TypeError("terminated: the stream ended without a done message");
    } catch (error) {
      throw this.mapError(error, call.context(), request.model, seen);
    } finally {
      call.end();
    }
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const call = startCall(request.signal, this.settings.timeoutMs, this.names());
    const seen: Seen = { started: false };
    try {
      const client = this.makeClient(this.boundFetch(call.signal, seen));
      const response = (await client.chat({ ...this.body(request), stream: false })) as ChatResponse;
      const toolCalls = toToolCalls(response);
      return {
        text: response.message?.content ?? "",
        toolCalls,
        finishReason: finishReason(response, toolCalls.length > 0),
        usage: usageOf(response),
      };
    } catch (error) {
      throw this.mapError(error, call.context(), request.model, seen);
    } finally {
      call.end();
    }
  }

  private names() {
    return { provider: this.displayName, keyVariable: "OLLAMA_HOST" };
  }

  private body(request: ModelRequest): Record<string, unknown> {
    const messages: OllamaMessage[] = [];
    if (request.system) messages.push({ role: "system", content: request.system });
    for (const message of request.messages) messages.push(...toOllamaMessages(message));
    const options: Record<string, number> = {};
    if (request.temperature !== undefined) options.temperature = request.temperature;
    if (request.maxOutputTokens !== undefined) options.num_predict = request.maxOutputTokens;
    return {
      model: request.model,
      messages,
      ...(request.tools?.length ? { tools: request.tools.map(toOllamaTool) } : {}),
      ...(request.responseSchema ? { format: request.responseSchema } : {}),
      options,
      // Thinking models (qwen3) would otherwise spend the budget reasoning before answering.
      think: false,
    };
  }

  /** Our signal on every request, and JSON error bodies only (see the class comment). */
  private boundFetch(signal: AbortSignal, seen: Seen): typeof fetch {
    return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      if (this.settings.apiKey) headers.set("authorization", `Bearer ${this.settings.apiKey}`);
      const response = await this.baseFetch(input, { ...init, headers, signal });
      // The client keeps only the status and body of an error; the wait a gateway asks for is kept here.
      if (!response.ok) seen.retryAfterMs = parseRetryAfter(Object.fromEntries(response.headers));
      if (response.ok || response.headers.get("content-type")?.includes("application/json")) return response;
      const text = await response.text();
      return new Response(JSON.stringify({ error: text.slice(0, 500) || response.statusText }), {
        status: response.status,
        headers: { "content-type": "application/json" },
      });
    }) as typeof fetch;
  }

  private mapError(error: unknown, context: ErrorContext, model: string, seen: Seen): HobError {
    if (error instanceof HobError) return error;
    const status = (error as { status_code?: number }).status_code;
    const message = (error as Error)?.message ?? String(error);
    if (!context.cancelled && !context.timedOut) {
      if (status === 404 || /model .* not found|try pulling it/i.test(message)) {
        return new HobError("E_MODEL_MISSING", `${this.displayName} does not have the model ${model}.`, {
          hint: `Run \`ollama pull ${model}\`, or change the model in litellm.yaml.`,
          status: 404,
          retryable: false,
          cause: error,
        });
      }
      if (typeof status === "number") {
        return Object.assign(fromStatus(status, message, context, seen.retryAfterMs), { cause: error });
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      // Once the stream has begun, a socket error is the answer breaking off (E_STREAM below), not an unreachable host.
      if (!seen.started && error instanceof TypeError && (cause?.code || message === "fetch failed")) {
        return new HobError(
          "E_NETWORK",
          `Cannot reach ${this.displayName} (${cause?.code ?? cause?.message ?? "fetch failed"}).`,
          {
            hint: "Start Ollama (`ollama serve`), or set OLLAMA_HOST to where it runs; `hob doctor` checks it.",
            retryable: true,
            cause: error,
          },
        );
      }
      if (!(error instanceof TypeError) && !/terminated|did not receive done/i.test(message)) {
        return new HobError("E_PROVIDER", `${this.displayName} failed: ${message}.`, {
          hint: "Check `ollama ps` and Ollama's log; run with --verbose for details.",
          cause: error,
        });
      }
    }
    return toProviderError(error, context);
  }
}

function toOllamaMessages(message: Message): OllamaMessage[] {
  switch (message.role) {
    case "user":
      return [{ role: "user", content: message.content }];
    case "assistant": {
      if (typeof message.content === "string") return [{ role: "assistant", content: message.content }];
      const text = message.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("");
      const calls = message.content.flatMap((part) =>
        part.type === "tool-call"
          ? [{ function: { name: part.toolName, arguments: (part.input ?? {}) as Record<string, unknown> } }]
          : [],
      );
      return [{ role: "assistant", content: text, ...(calls.length ? { tool_calls: calls } : {}) }];
    }
    case "tool":
      return message.content.map((part) => ({ role: "tool", content: part.output, tool_name: part.toolName }));
  }
}

function toOllamaTool(tool: NonNullable<ModelRequest["tools"]>[number]): OllamaTool {
  return {
    type: "function",
    function: {
      name: tool.name,
      description: tool.description,
      parameters: tool.inputSchema as OllamaTool["function"]["parameters"],
    },
  };
}

function toToolCalls(chunk: ChatResponse): ToolCallPart[] {
  return (chunk.message?.tool_calls ?? []).map((call) => ({
    type: "tool-call" as const,
    toolCallId: (call as { id?: string }).id ?? `call_${randomUUID().slice(0, 8)}`,
    toolName: call.function.name,
    input: call.function.arguments ?? {},
  }));
}

function finishReason(chunk: ChatResponse, sawToolCall: boolean): FinishReason {
  if (sawToolCall) return "tool-calls";
  if (chunk.done_reason === "length") return "length";
  return "stop";
}

function usageOf(chunk: ChatResponse) {
  return {
    inputTokens: chunk.prompt_eval_count ?? 0,
    outputTokens: chunk.eval_count ?? 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
}

export interface OllamaStatus {
  ok: boolean;
  /** Names of the pulled models, e.g. `qwen3:1.7b`. */
  models: string[];
  error?: HobError;
}

/** GET /api/tags: is Ollama up, and which models are pulled (for `hob doctor`). */
export async function checkOllama(host: string, proxy?: ProxySettings, apiKey?: string): Promise<OllamaStatus> {
  try {
    const fetcher = await createFetch(proxy);
    const response = await fetcher(`${host}/api/tags`, {
      signal: AbortSignal.timeout(5_000),
      ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return {
        ok: false,
        models: [],
        error: new HobError("E_PROVIDER", `Ollama at ${host} answered ${response.status}.`),
      };
    }
    const body = (await response.json()) as { models?: Array<{ name?: string; model?: string }> };
    return { ok: true, models: (body.models ?? []).map((m) => m.name ?? m.model ?? "").filter(Boolean) };
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return {
      ok: false,
      models: [],
      error: new HobError("E_NETWORK", `Cannot reach Ollama at ${host} (${code}).`, {
        hint: "Start it with `ollama serve` (https://ollama.com), or set OLLAMA_HOST to where it runs.",
        cause: error,
      }),
    };
  }
}

/** Whether `wanted` is among pulled models (a name without a tag means `:latest`). */
export function hasModel(pulled: string[], wanted: string): boolean {
  const full = wanted.includes(":") ? wanted : `${wanted}:latest`;
  return pulled.includes(wanted) || pulled.includes(full);
}
