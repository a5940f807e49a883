/**
 * The embedding seam, beside `Provider`: turns texts into vectors. Two HTTP clients,
 * Ollama's native `/api/embed` and any OpenAI-compatible `/embeddings`, both plain
 * fetch (no SDK), sharing the timeout and cancel handling of the chat providers
 * (call-control.ts) and their status-to-error mapping (errors.ts). What the server
 * answers is untrusted: it is checked with zod and for a vector per input, all of one
 * length, before anyone sees it.
 */
import { z } from "zod";
import { HobError } from "../errors/index.js";
import { type CallControl, startCall } from "./call-control.js";
import { apiMessage, type ErrorContext, fromStatus, parseRetryAfter, redactError, toProviderError } from "./errors.js";
import { createFetch, type ProxySettings } from "./http.js";
import { abortableSleep, type RetryInfo, type RetryPolicy, retryDelay } from "./retry.js";

export interface EmbedOptions {
  signal?: AbortSignal;
}

export interface EmbedResult {
  /** One vector per input text, in the order of the inputs. */
  embeddings: number[][];
  /** Length of every vector (0 when there are none). */
  dimensions: number;
  /** 0 when the server does not say. */
  usage: { inputTokens: number };
}

export interface Embedder {
  /** Registry name, e.g. `ollama`. */
  readonly provider: string;
  readonly model: string;
  /** Errors are thrown as HobError with a stable code, like `Provider`'s. */
  embed(texts: string[], options?: EmbedOptions): Promise<EmbedResult>;
}

interface CommonSettings {
  model: string;
  /** Sent as `Authorization: Bearer`. Kept in a closure, never on the embedder object. */
  apiKey?: string;
  /** Where the key comes from, named in a 401's hint. */
  keyVariable?: string;
  /** No answer for this long fails the call with E_TIMEOUT (default 60 s). */
  timeoutMs?: number;
  proxy?: ProxySettings;
}

export interface OllamaEmbedderSettings extends CommonSettings {
  /** e.g. http://127.0.0.1:11434 (OLLAMA_HOST, normalised; no /api). */
  baseUrl: string;
}

export interface OpenAICompatibleEmbedderSettings extends CommonSettings {
  /** Includes /v1, like the chat provider: https://api.openai.com/v1, http://127.0.0.1:4000/v1. */
  baseUrl: string;
}

export const DEFAULT_EMBED_TIMEOUT_MS = 60_000;

/** `POST {baseUrl}/api/embed` with `{ model, input: [...] }` (Ollama 0.3.4 and later). */
export function createOllamaEmbedder(settings: OllamaEmbedderSettings): Embedder {
  const base = settings.baseUrl.replace(/\/+$/, "");
  const host = new URL(base).host;
  const { model } = settings;
  return new HttpEmbedder("ollama", model, {
    displayName: `Ollama at ${host}`,
    url: `${base}/api/embed`,
    keyVariable: settings.keyVariable ?? "the embedder's api_key",
    unreachableHint: "Start Ollama (`ollama serve`), or set OLLAMA_HOST to where it runs; `hob doctor` checks it.",
    body: (input) => ({ model, input }),
    parse: (json) => {
      const body = ollamaResponse.parse(json);
      return { embeddings: body.embeddings, inputTokens: body.prompt_eval_count ?? 0 };
    },
    refusal: (status, detail) => {
      if (status === 404 && /model .*not found|try pulling/i.test(detail ?? "")) {
        return new HobError("E_MODEL_MISSING", `Ollama at ${host} does not have the embedding model ${model}.`, {
          hint: `Run \`ollama pull ${model}\`, or change the embedder's model.`,
          status,
        });
      }
      if (status === 404) {
        return new HobError("E_BAD_REQUEST", `Ollama at ${host} has no /api/embed endpoint (404).`, {
          hint: "Check that OLLAMA_HOST (or base_url) is Ollama's address with no path such as /v1, and that Ollama is 0.3.4 or later.",
          status,
        });
      }
      if (/does not support embed/i.test(detail ?? "")) {
        return new HobError("E_BAD_REQUEST", `${model} on Ollama at ${host} cannot make embeddings.`, {
          hint: "Use an embedding model, e.g. `ollama pull nomic-embed-text`.",
          status,
        });
      }
      return undefined;
    },
    settings,
  });
}

/** `POST {baseUrl}/embeddings` with `{ model, input: [...], encoding_format: "float" }`. */
export function createOpenAICompatibleEmbedder(settings: OpenAICompatibleEmbedderSettings): Embedder {
  const base = settings.baseUrl.replace(/\/+$/, "");
  const host = new URL(base).host;
  const { model } = settings;
  return new HttpEmbedder("openai", model, {
    displayName: `the OpenAI-compatible endpoint at ${host}`,
    url: `${base}/embeddings`,
    keyVariable: settings.keyVariable ?? "OPENAI_API_KEY",
    body: (input) => ({ model, input, encoding_format: "float" }),
    parse: (json, count) => {
      const body = openaiResponse.parse(json);
      const data = [...body.data].sort((a, b) => a.index - b.index);
      // Every input's vector exactly once: a missing or repeated index would shift them onto the wrong texts.
      if (data.length === count && data.some((item, i) => item.index !== i)) {
        throw new Shape(`the indexes are not 0..${count - 1} (${body.data.map((d) => d.index).join(", ")})`);
      }
      return { embeddings: data.map((item) => item.embedding), inputTokens: body.usage?.prompt_tokens ?? 0 };
    },
    refusal: (status, detail, code) => {
      if (status === 404 && (code === "model_not_found" || /model/i.test(detail ?? ""))) {
        return new HobError("E_MODEL_MISSING", `The endpoint at ${host} does not serve the model ${model}.`, {
          hint: `Check the embedder's model name; GET ${base}/models lists what the endpoint serves.`,
          status,
        });
      }
      if (status === 404) {
        return new HobError("E_BAD_REQUEST", `The endpoint at ${host} has no /embeddings (404).`, {
          hint: `Check base_url: hob calls ${base}/embeddings, so it usually ends in /v1.`,
          status,
        });
      }
      return undefined;
    },
    settings,
  });
}

/**
 * Retries an embed on retryable errors (429, 5xx, network, timeout) with the router's
 * backoff rules; a caller's cancel ends the waiting too.
 */
export async function embedWithRetry(
  embedder: Embedder,
  texts: string[],
  policy: RetryPolicy,
  options: EmbedOptions & { onRetry?: (info: RetryInfo) => void } = {},
): Promise<EmbedResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await embedder.embed(texts, options);
    } catch (error) {
      const failure = error instanceof HobError ? error : new HobError("E_PROVIDER", String(error), { cause: error });
      const delayMs = retryDelay(failure, attempt, policy);
      if (delayMs === undefined) throw failure;
      options.onRetry?.({ attempt, delayMs, error: failure });
      await abortableSleep(delayMs, options.signal);
    }
  }
}

const vector = z.array(z.number()).min(1, "an embedding is empty");

const ollamaResponse = z.object({
  model: z.string().optional(),
  embeddings: z.array(vector),
  total_duration: z.number().optional(),
  load_duration: z.number().optional(),
  prompt_eval_count: z.number().int().nonnegative().optional(),
});

const openaiResponse = z.object({
  object: z.literal("list").optional(),
  data: z.array(
    z.object({
      object: z.literal("embedding").optional(),
      index: z.number().int().nonnegative(),
      // A server that ignored encoding_format and sent base64 fails here, as it should.
      embedding: vector,
    }),
  ),
  model: z.string().optional(),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), total_tokens: z.number().optional() }).optional(),
});

/** A response body that parsed but cannot be used as embeddings. */
class Shape extends Error {}

interface Wire {
  displayName: string;
  url: string;
  keyVariable: string;
  unreachableHint?: string;
  body(input: string[]): Record<string, unknown>;
  /** Throws a ZodError or Shape when the JSON is not what the protocol promises. */
  parse(json: unknown, count: number): { embeddings: number[][]; inputTokens: number };
  /** A protocol-specific error for a refused request; undefined leaves it to `fromStatus`. */
  refusal(status: number, detail: string | undefined, code: string | undefined): HobError | undefined;
  settings: CommonSettings;
}

class HttpEmbedder implements Embedder {
  /** Holds the key: a #private field, so neither JSON.stringify nor console.log shows it. */
  readonly #wire: Wire;
  #fetcher: Promise<typeof fetch> | undefined;

  constructor(
    readonly provider: string,
    readonly model: string,
    wire: Wire,
  ) {
    this.#wire = wire;
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<EmbedResult> {
    if (options.signal?.aborted) throw new HobError("E_CANCELLED", "Cancelled.");
    if (texts.length === 0) return { embeddings: [], dimensions: 0, usage: { inputTokens: 0 } };
    const wire = this.#wire;
    const call = startCall(options.signal, wire.settings.timeoutMs ?? DEFAULT_EMBED_TIMEOUT_MS, {
      provider: wire.displayName,
      keyVariable: wire.keyVariable,
      unreachableHint: wire.unreachableHint,
    });
    let answered = false;
    try {
      this.#fetcher ??= createFetch(wire.settings.proxy);
      const fetcher = await this.#fetcher;
      const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
      if (wire.settings.apiKey) headers.authorization = `Bearer ${wire.settings.apiKey}`;
      const response = await fetcher(wire.url, {
        method: "POST",
        headers,
        body: JSON.stringify(wire.body(texts)),
        signal: call.signal,
      });
      answered = true;
      call.alive();
      const text = await response.text();
      if (!response.ok) throw this.refused(response, text, call);
      return this.result(text, texts.length);
    } catch (error) {
      throw redactError(this.failed(error, call, answered));
    } finally {
      call.end();
    }
  }

  private refused(response: Response, text: string, call: CallControl): HobError {
    const detail = apiMessage(text) ?? (response.statusText || undefined);
    const specific = this.#wire.refusal(response.status, detail, errorCode(text));
    if (specific) return specific;
    return fromStatus(response.status, detail, call.context(), parseRetryAfter(Object.fromEntries(response.headers)));
  }

  private result(text: string, count: number): EmbedResult {
    let parsed: { embeddings: number[][]; inputTokens: number };
    try {
      parsed = this.#wire.parse(JSON.parse(text), count);
    } catch (error) {
      throw this.malformed(describe(error), error);
    }
    const { embeddings } = parsed;
    if (embeddings.length !== count) {
      throw this.malformed(`${embeddings.length} embeddings for ${count} inputs`);
    }
    const dimensions = embeddings[0]?.length ?? 0;
    const ragged = embeddings.findIndex((v) => v.length !== dimensions);
    if (ragged !== -1) {
      throw this.malformed(
        `embedding ${ragged} has ${embeddings[ragged]?.length} dimensions, the first has ${dimensions}`,
      );
    }
    return { embeddings, dimensions, usage: { inputTokens: parsed.inputTokens } };
  }

  private malformed(what: string, cause?: unknown): HobError {
    return new HobError("E_PROVIDER", `${this.#wire.displayName} sent embeddings hob cannot use: ${what}.`, {
      hint: `Check that ${this.model} is an embedding model and that the base URL points at the embeddings API; run with --verbose for details.`,
      cause,
    });
  }

  private failed(error: unknown, call: CallControl, answered: boolean): HobError {
    if (error instanceof HobError) return error;
    const context: ErrorContext = call.context();
    if (!context.cancelled && !context.timedOut && error instanceof TypeError) {
      const code = (error.cause as { code?: string } | undefined)?.code;
      const message = answered
        ? `The connection to ${context.provider} dropped before the embeddings arrived.`
        : `Cannot reach ${context.provider}${code ? ` (${code})` : ""}.`;
      return new HobError("E_NETWORK", message, {
        hint: answered
          ? "Try again; this is usually temporary."
          : (context.unreachableHint ??
            "Check the base URL, your network and proxy; `hob doctor` tests the connection."),
        retryable: true,
        cause: error,
      });
    }
    return toProviderError(error, context);
  }
}

/** `error.code` of an OpenAI-style error body, e.g. `model_not_found`. */
function errorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    return `${issue?.message ?? "unexpected shape"}${where}`;
  }
  if (error instanceof SyntaxError) return "the body is not JSON";
  return (error as Error)?.message ?? String(error);
}
