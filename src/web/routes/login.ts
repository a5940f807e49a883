import { unauthorised } from "../guard.js";
import { errorBody } from "../http.js";
import { SessionBody } from "../schemas.js";
import { clearedSessionCookie, newSession, sessionCookie } from "../security.js";
import { sameSecret } from "../token.js";
import type { RouteContext } from "./context.js";

/** Failed log-ins allowed per minute before the exchange answers 429 (a 256-bit token is not guessable; this keeps logs and CPU quiet). */
const FAILURES_PER_MINUTE = 20;

/** POST /api/session exchanges the token (from the login link's fragment) for an HttpOnly session cookie. */
export function loginRoutes({ app, token, now, revoked }: RouteContext): void {
  let window = { start: 0, failures: 0 };
  app.post(
    "/api/session",
    {
      config: { public: true },
      schema: { body: SessionBody, tags: ["session"], summary: "Exchange the token for a session cookie" },
    },
    async (request, reply) => {
      const at = now();
      if (at - window.start >= 60_000) window = { start: at, failures: 0 };
      const current = token();
      const right = sameSecret(request.body.token, current);
      // The right token always logs in: the limit slows guessing, it must not lock the user out.
      if (!right && window.failures >= FAILURES_PER_MINUTE) {
        reply.header("retry-after", String(Math.ceil((window.start + 60_000 - at) / 1000)));
        return reply
          .code(429)
          .send(errorBody("E_RATE", "Too many failed log-ins; wait a minute.", "Use the link hob serve printed."));
      }
      if (!right) {
        window.failures += 1;
        return unauthorised(reply);
      }
      reply.header("set-cookie", sessionCookie(newSession(current, at)));
      return { ok: true };
    },
  );

  app.delete("/api/session", { schema: { tags: ["session"], summary: "Log out" } }, async (request, reply) => {
    // The cookie that made this request stops working here, not only in this browser.
    if (request.hobSession) revoked.revoke(request.hobSession, now());
    reply.header("set-cookie", clearedSessionCookie());
    return { ok: true };
  });
}
