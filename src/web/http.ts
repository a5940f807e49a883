import Fastify from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { ErrorCode } from "../errors/index.js";

/** How a HobError's code answers over HTTP; anything else a user can cause is a 4xx, never E_INTERNAL. */
export const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  E_USAGE: 400,
  E_VALIDATION: 400,
  E_BAD_REQUEST: 400,
  E_NOT_FOUND: 404,
  E_APPROVAL: 409,
  E_CONFLICT: 409,
  E_CONFIG: 409,
  E_UNAVAILABLE: 503,
};

export function errorBody(code: ErrorCode | string, message: string, hint?: string) {
  return { error: { code, message, ...(hint ? { hint } : {}) } };
}

export function buildApp() {
  return Fastify({
    // No request logging: a URL or header must never carry the token into a log.
    logger: false,
    bodyLimit: 1024 * 1024,
    // Host checks are ours; trust no proxy headers.
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>();
}

export type App = ReturnType<typeof buildApp>;

/** `host:port` for a URL (IPv6 in brackets). */
export function hostWithPortForUrl(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare.includes(":") ? `[${bare}]:${port}` : `${bare}:${port}`;
}
