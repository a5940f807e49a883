import type { FastifyReply, FastifyRequest } from "fastify";
import { errorBody } from "./http.js";
import {
  CSRF_HEADER,
  readCookies,
  SECURITY_HEADERS,
  SESSION_COOKIE,
  type SessionRevocations,
  validSession,
} from "./security.js";
import { sameSecret } from "./token.js";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Whether the route this request was matched to is open to anyone on an allowed Host: the
 * ones marked `config: { public: true }` (health, the log-in exchange, the page and its
 * assets) and the API docs. Decided on the route the router chose, never on the raw URL: the
 * router decodes and normalises (`/%61pi/config` is `/api/config`), so a URL test can be
 * passed by a spelling the router still maps to a protected handler. No route matched (a 404)
 * runs no handler, so it needs no authentication either.
 */
function isPublic(request: FastifyRequest): boolean {
  const route = request.routeOptions;
  if (route.url === undefined) return true;
  if ((route.config as { public?: boolean } | undefined)?.public === true) return true;
  return route.url === "/docs" || route.url.startsWith("/docs/");
}

export type Auth = "bearer" | "cookie";

declare module "fastify" {
  interface FastifyRequest {
    hobAuth?: Auth;
    hobToken?: string;
    /** The session cookie value that authenticated the request (cookie auth only). */
    hobSession?: string;
  }
}

export interface GuardOptions {
  hosts: () => Set<string>;
  port: () => number;
  token: () => string;
  now: () => number;
  revoked: SessionRevocations;
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

    // Only origin-form targets (`/path`): an absolute-form line (`GET http://x/api/…`) is refused.
    if (!request.raw.url?.startsWith("/")) {
      return reply.code(400).send(errorBody("E_USAGE", "The request target must be a path.", "Send GET /api/…"));
    }
    if (isPublic(request)) return;

    // Bearer token (scripts), else the session cookie (the page). Never a token in the URL.
    const token = options.token();
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer ([^\s]+)$/.exec(authorization);
      if (!match || !sameSecret(match[1] as string, token)) return unauthorised(reply);
      request.hobAuth = "bearer";
    } else {
      const session = readCookies(request.headers.cookie, SESSION_COOKIE).find(
        (value) => validSession(value, token, options.now()) && !options.revoked.has(value),
      );
      if (!session) return unauthorised(reply);
      request.hobSession = session;
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
