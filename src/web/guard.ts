import type { FastifyReply, FastifyRequest } from "fastify";
import { errorBody } from "./http.js";
import { CSRF_HEADER, readCookie, SECURITY_HEADERS, SESSION_COOKIE, validSession } from "./security.js";
import { sameSecret } from "./token.js";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Paths anyone on an allowed Host may read: the health probe, the login exchange, the page and the API docs. */
function isPublic(path: string, method: string): boolean {
  if (path === "/api/health") return true;
  if (path === "/api/session" && method === "POST") return true;
  return !path.startsWith("/api/") && path !== "/api";
}

export type Auth = "bearer" | "cookie";

declare module "fastify" {
  interface FastifyRequest {
    hobAuth?: Auth;
    hobToken?: string;
  }
}

export interface GuardOptions {
  hosts: () => Set<string>;
  port: () => number;
  token: () => string;
  now: () => number;
}

/**
 * The one gate every request passes (HTTP and WebSocket upgrade): security headers,
 * the Host allowlist (DNS rebinding), the Origin check on anything that changes state,
 * and authentication — a bearer token for scripts, or the page's session cookie plus a
 * CSRF header. Nothing else in the server decides who may do what.
 */
export function requestGuard(options: GuardOptions) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS);
    reply.header("cache-control", "no-store");

    // DNS rebinding: only our own names, with our port.
    const hostHeader = (request.headers.host ?? "").toLowerCase();
    if (!options.hosts().has(hostHeader)) {
      return reply
        .code(421)
        .send(
          errorBody(
            "E_HOST",
            "This server does not answer for that Host.",
            `Open it as http://127.0.0.1:${options.port()}/ (or localhost).`,
          ),
        );
    }
    const upgrade = request.headers.upgrade?.toLowerCase() === "websocket";
    const changing = STATE_CHANGING.has(request.method) || upgrade;
    const origin = request.headers.origin;
    const sameOrigin = origin !== undefined && origin.toLowerCase() === `http://${hostHeader}`;
    if (changing && origin !== undefined && !sameOrigin) {
      return reply.code(403).send(errorBody("E_ORIGIN", "Cross-origin requests are refused."));
    }
    if (changing && request.headers["sec-fetch-site"] === "cross-site") {
      return reply.code(403).send(errorBody("E_ORIGIN", "Cross-site requests are refused."));
    }

    const path = request.url.split("?")[0] ?? "";
    if (isPublic(path, request.method)) return;

    // Bearer token (scripts), else the session cookie (the page). Never a token in the URL.
    const token = options.token();
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer ([^\s]+)$/.exec(authorization);
      if (!match || !sameSecret(match[1] as string, token)) return unauthorised(reply);
      request.hobAuth = "bearer";
    } else {
      const session = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (!session || !validSession(session, token, options.now())) return unauthorised(reply);
      request.hobAuth = "cookie";
      // CSRF: a cookie rides along on any request the browser makes; ours also carry our Origin
      // and a header a form or a cross-site page cannot set without a CORS preflight we never allow.
      if (changing && !sameOrigin) {
        return reply
          .code(403)
          .send(errorBody("E_ORIGIN", "A request with the session cookie must come from this page."));
      }
      if (STATE_CHANGING.has(request.method) && request.headers[CSRF_HEADER] !== "1") {
        return reply
          .code(403)
          .send(errorBody("E_CSRF", `A request with the session cookie needs the ${CSRF_HEADER}: 1 header.`));
      }
    }
    request.hobToken = token;
  };
}

export function unauthorised(reply: FastifyReply) {
  return reply
    .code(401)
    .send(
      errorBody(
        "E_AUTH",
        "Authentication required.",
        "Send Authorization: Bearer <token> (`hob serve token`), or log in with the link hob serve printed.",
      ),
    );
}
