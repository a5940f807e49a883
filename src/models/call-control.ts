import { HobError } from "../errors/index.js";
import type { ErrorContext } from "./errors.js";

export interface CallControl {
  /** Aborted on the caller's cancel or on the idle timeout. */
  signal: AbortSignal;
  /** Call on every sign of life (headers, a chunk): re-arms the idle timeout. */
  alive(): void;
  end(): void;
  context(): ErrorContext;
}

/**
 * Links the caller's signal to a per-call controller and arms an idle watchdog:
 * no response, or no streamed chunk, for `timeoutMs` aborts the call as a timeout.
 * Shared by every provider so they time out and cancel alike.
 */
export function startCall(
  signal: AbortSignal | undefined,
  timeoutMs: number,
  names: { provider: string; keyVariable: string; unreachableHint?: string },
): CallControl {
  if (signal?.aborted) throw new HobError("E_CANCELLED", "Cancelled.");
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error("timeout"));
    }, timeoutMs);
  };
  arm();
  return {
    signal: controller.signal,
    alive: arm,
    end: () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
    context: () => ({ ...names, timeoutMs, timedOut, cancelled: signal?.aborted ?? false }),
  };
}
