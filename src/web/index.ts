/**
 * The web server of `hob serve`: REST under /api, the event bus over a WebSocket
 * (`/api/events`), the dashboard at `/` and the API docs at `/docs`, secure by default.
 * It approves through the orchestrator's approval owner and streams the bus as it is:
 * nothing is re-derived here. Loaded only by `hob serve` (fastify is not part of any
 * other command's start-up).
 */

export { toWebApprovalJson } from "./routes/approvals.js";
export { allowedHosts, CSRF_HEADER, isLoopbackHost, SECURITY_HEADERS, SESSION_COOKIE } from "./security.js";
export { createWebServer, defaultUiDir, type WebServer, type WebServerDeps } from "./server.js";
export { loadOrCreateToken, rotateToken, tokenFromFile, tokenPath } from "./token.js";
