import { HobError } from "../errors/index.js";
import type { Usage } from "./types.js";

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
  /** null: a remote model with no known price (never recorded as free). */
  costUsd: number | null;
  latencyMs: number;
  ok: boolean;
  errorCode?: string;
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  error: HobError;
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
