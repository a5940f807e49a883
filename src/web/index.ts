/**
 * The web API of `hob serve`: REST under /api and the event bus over a WebSocket
 * (`/api/events`), secure by default. It approves through the orchestrator's approval
 * owner and streams the bus as it is: nothing is re-derived here. Loaded only by
 * `hob serve` (fastify is not part of any other command's start-up).
 */

export { allowedHosts, CSRF_HEADER, isLoopbackHost, SECURITY_HEADERS, SESSION_COOKIE } from "./security.js";
export { createWebServer, toWebApprovalJson, type WebServer, type WebServerDeps } from "./server.js";
export { loadOrCreateToken, rotateToken, tokenFromFile, tokenPath } from "./token.js";
