import { HobError } from "../errors/index.js";
import type { PriceTable } from "./pricing.js";
import { type ModelRequest, type Provider, type StreamPart, type Usage, ZERO_USAGE } from "./types.js";

export interface RetryPolicy {
  maxRetries: number;
  /** A server asking us to wait longer than this ends the retries. */
  maxRetryDelayMs: number;
  /** First backoff when the server gives no retry-after; doubles each attempt. */
  baseDelayMs?: number;
  maxBackoffMs?: number;
}

/** One HTTP attempt, as recorded in `model_calls` and emitted as a `model-call` event. */
export interface CallAttempt {
  provider: string;
  model: string;
  attempt: number;
  usage: Usage;
  costUsd: number;
  latencyMs: number;
  ok: boolean;
  errorCode?: string;
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  error: HobError;
}

export interface CallOptions {
  policy: RetryPolicy;
  prices: PriceTable;
  now?: () => number;
  /** Injected so tests check the delays without waiting for them. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onAttempt?: (attempt: CallAttempt) => void;
  onRetry?: (info: RetryInfo) => void;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new HobError("E_CANCELLED", "Cancelled."));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new HobError("E_CANCELLED", "Cancelled."));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** How long to wait before the next attempt, or undefined when we should give up. */
export function retryDelay(error: HobError, attempt: number, policy: RetryPolicy): number | undefined {
  if (!error.retryable || attempt > policy.maxRetries) return undefined;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= policy.maxRetryDelayMs ? error.retryAfterMs : undefined;
  }
  const base = policy.baseDelayMs ?? 500;
  return Math.min(policy.maxBackoffMs ?? 8000, base * 2 ** (attempt - 1));
}

/**
 * Streams one model call with retries. A failure before any text or tool call was
 * streamed is retried (429/5xx/529/network/timeout, honouring retry-after); a failure
 * after output started is not, because the user has already seen that output.
 */
export async function* streamWithRetries(
  provider: Provider,
  request: ModelRequest,
  options: CallOptions,
): AsyncGenerator<StreamPart> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    const started = now();
    let produced = false;
    try {
      for await (const part of provider.stream(request)) {
        if (part.type === "finish") {
          options.onAttempt?.({
            provider: provider.name,
            model: request.model,
            attempt,
            usage: part.usage,
            costUsd: options.prices.cost(request.model, part.usage),
            latencyMs: now() - started,
            ok: true,
          });
        } else {
          produced = true;
        }
        yield part;
      }
      return;
    } catch (thrown) {
      const error = thrown instanceof HobError ? thrown : new HobError("E_PROVIDER", String(thrown), { cause: thrown });
      options.onAttempt?.({
        provider: provider.name,
        model: request.model,
        attempt,
        usage: ZERO_USAGE,
        costUsd: 0,
        latencyMs: now() - started,
        ok: false,
        errorCode: error.code,
      });
      const delayMs = produced || request.signal?.aborted ? undefined : retryDelay(error, attempt, options.policy);
      if (delayMs === undefined) throw exhausted(error, attempt, options.policy);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, request.signal);
    }
  }
}

/** Says in the message that retries were spent, so the user knows waiting did not help. */
function exhausted(error: HobError, attempt: number, policy: RetryPolicy): HobError {
  if (!error.retryable || attempt === 1) {
    if (error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxRetryDelayMs) {
      return new HobError(
        error.code,
        `${error.message.replace(/\.$/, "")}; the server asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s, longer than hob will.`,
        { hint: error.hint, cause: error.cause, status: error.status },
      );
    }
    return error;
  }
  return new HobError(error.code, `${error.message.replace(/\.$/, "")} (gave up after ${attempt} attempts).`, {
    hint: error.hint,
    cause: error.cause,
    status: error.status,
  });
}
