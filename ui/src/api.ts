/**
 * The REST client. Same origin only; the session cookie rides along by itself. Every
 * state-changing request carries the CSRF header the server demands, and a JSON body.
 * A 401 anywhere means the session is gone: the log-in screen takes over.
 */
import type { ErrorJson } from "./types.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

let unauthorised: () => void = () => {};

/** Who shows the log-in screen when the server answers 401 (set once by main). */
export function onUnauthorised(handler: () => void): void {
  unauthorised = handler;
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  const init: RequestInit = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (signal) init.signal = signal;
  if (method !== "GET") {
    headers["content-type"] = "application/json";
    headers["x-hob-csrf"] = "1";
    init.body = JSON.stringify(body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, "E_NETWORK", "The hob server cannot be reached.", "Is `hob serve` still running?");
  }
  const payload = (await response.json().catch(() => null)) as { error?: ErrorJson } | null;
  if (!response.ok) {
    const error = payload?.error;
    if (response.status === 401 && path !== "/api/session") unauthorised();
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `The server answered ${response.status}.`,
      error?.hint,
    );
  }
  return payload as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => request<T>("GET", path, undefined, signal);
export const post = <T>(path: string, body?: unknown) => request<T>("POST", path, body);
export const del = <T>(path: string) => request<T>("DELETE", path);

/** Query string from the defined values only. */
export function query(values: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
