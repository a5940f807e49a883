import { APICallError } from "@ai-sdk/provider";
import { HobError, redact } from "../errors/index.js";

export interface ErrorContext {
  /** Human name of the provider, e.g. "Anthropic". */
  provider: string;
  timedOut: boolean;
  timeoutMs: number;
  cancelled: boolean;
  /** Env var that holds the key, named in hints. */
  keyVariable: string;
  /** What to say when the endpoint cannot be reached. */
  unreachableHint?: string;
}

/** Reads `retry-after-ms`, or `retry-after` as seconds or an HTTP date, into ms. */
export function parseRetryAfter(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ms = Number.parseFloat(lower["retry-after-ms"] ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = lower["retry-after"];
  if (value === undefined) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Pulls the message out of a JSON error body: `{ error: { message } }` (Anthropic, OpenAI) or `{ error: "..." }` (Ollama). */
export function apiMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
    const message = parsed.error?.message ?? parsed.message;
    return typeof message === "string" ? message : undefined;
  } catch {
    return body.slice(0, 200);
  }
}

export function fromStatus(
  status: number,
  detail: string | undefined,
  context: ErrorContext,
  retryAfterMs?: number,
): HobError {
  const { provider } = context;
  // Error bodies may echo the key or the Authorization header back: never keep them.
  const suffix = detail ? `: ${redact(detail)}` : "";
  if (status === 401) {
    return new HobError("E_AUTH", `${provider} rejected the API key (401)${suffix}.`, {
      hint: `Check ${context.keyVariable}; \`hob doctor\` tests the key.`,
      status,
    });
  }
  if (status === 403) {
    return new HobError("E_AUTH", `${provider} refused the request (403)${suffix}.`, {
      hint: "Your key lacks permission for this model or feature; check your account's access.",
      status,
    });
  }
  if (status === 429) {
    return new HobError("E_RATE_LIMIT", `${provider} is rate limiting this key (429)${suffix}.`, {
      hint: "Wait a minute and try again, or lower your request rate; `hob stats` shows recent usage.",
      retryable: true,
      retryAfterMs,
      status,
    });
  }
  if (status === 529) {
    return new HobError("E_OVERLOADED", `${provider} is overloaded (529)${suffix}.`, {
      hint: "This is on the provider's side; try again shortly or use another tier with --tier.",
      retryable: true,
      retryAfterMs,
      status,
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return new HobError("E_PROVIDER", `${provider} answered with an error (${status})${suffix}.`, {
      hint: "This is usually temporary; try again shortly.",
      retryable: true,
      retryAfterMs,
      status,
    });
  }
  if (detail && /prompt is too long|context[_ ]length|context window|maximum context|too many tokens/i.test(detail)) {
    return new HobError("E_CONTEXT_WINDOW", `The request is longer than ${provider}'s context window${suffix}.`, {
      hint: "Shorten the task, or add a model with a larger window under context_window_fallbacks in litellm.yaml.",
      status,
    });
  }
  return new HobError("E_BAD_REQUEST", `${provider} rejected the request (${status})${suffix}.`, {
    hint:
      status === 404
        ? "Check the model names in litellm.yaml and that the base URL has no /v1 at the end."
        : "Check the model names and limits in litellm.yaml; run with --verbose for details.",
    status,
  });
}

/**
 * Turns whatever a provider call threw into a HobError with a stable code. This is the
 * one place provider errors are built, so it is where secrets are taken out: what it
 * returns is what gets stored in the database and printed.
 */
export function toProviderError(error: unknown, context: ErrorContext): HobError {
  return redactError(classify(error, context));
}

/** The same error with any secret in its message or hint redacted (the cause is kept for --verbose, which redacts too). */
export function redactError(error: HobError): HobError {
  const message = redact(error.message);
  const hint = error.hint === undefined ? undefined : redact(error.hint);
  if (message === error.message && hint === error.hint) return error;
  return new HobError(error.code, message, {
    hint,
    cause: error.cause,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    status: error.status,
  });
}

function classify(error: unknown, context: ErrorContext): HobError {
  if (error instanceof HobError) return error;
  const { provider } = context;
  if (context.cancelled) return new HobError("E_CANCELLED", "Cancelled.", { cause: error });
  if (context.timedOut) {
    return new HobError("E_TIMEOUT", `${provider} did not answer within ${Math.round(context.timeoutMs / 1000)} s.`, {
      hint: "Check your network, or raise the timeout (router_settings.timeout or litellm_params.timeout in litellm.yaml).",
      retryable: true,
      cause: error,
    });
  }
  if (APICallError.isInstance(error)) {
    // The AI SDK reports a body that breaks off after a 200 as an APICallError with that 200.
    if (error.statusCode !== undefined && error.statusCode < 300) return streamCut(provider, error);
    if (error.statusCode !== undefined) {
      return Object.assign(
        fromStatus(error.statusCode, apiMessage(error.responseBody), context, parseRetryAfter(error.responseHeaders)),
        { cause: error },
      );
    }
    return networkError(error, context);
  }
  // A mid-stream SSE `error` event arrives as the plain error object of the API.
  if (typeof error === "object" && error !== null && "type" in error) {
    const { type, message } = error as { type?: unknown; message?: unknown };
    const detail = typeof message === "string" ? message : undefined;
    if (type === "overloaded_error") return fromStatus(529, detail, context);
    if (type === "rate_limit_error") return fromStatus(429, detail, context);
    if (type === "api_error") return fromStatus(500, detail, context);
    return new HobError("E_STREAM", `${provider} sent an error mid-answer${detail ? `: ${detail}` : ""}.`, {
      hint: "Try again; the partial answer is saved in `hob show`.",
      cause: error,
    });
  }
  if (error instanceof TypeError || (error instanceof Error && /terminated|socket|ECONNRESET/i.test(error.message))) {
    return streamCut(provider, error);
  }
  return new HobError("E_PROVIDER", `${provider} call failed: ${(error as Error)?.message ?? String(error)}.`, {
    hint: "Run again with --verbose for details.",
    cause: error,
  });
}

function streamCut(provider: string, cause: unknown): HobError {
  return new HobError("E_STREAM", `The connection to ${provider} dropped mid-answer.`, {
    hint: "Try again; the partial answer is saved in `hob show`.",
    retryable: true,
    cause,
  });
}

function networkError(error: APICallError, context: ErrorContext): HobError {
  const cause = (error.cause as { cause?: { code?: string }; code?: string } | undefined) ?? {};
  const code = cause.cause?.code ?? cause.code ?? "";
  let host = error.url;
  try {
    host = new URL(error.url).host;
  } catch {
    // keep the raw url
  }
  return new HobError("E_NETWORK", `Cannot reach ${context.provider} at ${host}${code ? ` (${code})` : ""}.`, {
    hint: context.unreachableHint ?? "Check your internet connection and proxy; `hob doctor` tests the connection.",
    retryable: true,
    cause: error,
  });
}
