import type { AddressInfo } from "node:net";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import type { LoadedConfig, Tier } from "../config/index.js";
import { type ErrorCode, HobError, toHobError } from "../errors/index.js";
import type { EventBus, HobEvent } from "../events/index.js";
import type { ApplyDeps } from "../improve/index.js";
import type { Orchestrator } from "../orchestrator/index.js";
import {
  parseSince,
  toConfigJson,
  toProposalDetailJson,
  toProposalJson,
  toSkillListJson,
  toTaskDetailJson,
  toTaskJson,
} from "../shapes/index.js";
import type { SkillRegistry } from "../skills/index.js";
import { type ApprovalRecord, PROPOSAL_STATUSES, type Store, TASK_STATUSES } from "../store/index.js";
import {
  allowedHosts,
  CSRF_HEADER,
  clearedSessionCookie,
  isLoopbackHost,
  newSession,
  readCookie,
  SECURITY_HEADERS,
  SESSION_COOKIE,
  sessionCookie,
  validSession,
} from "./security.js";
import { sameSecret } from "./token.js";

export interface WebServerDeps {
  config: LoadedConfig;
  store: Store;
  orchestrator: Orchestrator;
  bus: EventBus;
  /** The bearer token; a function when it can change while the server runs (`hob serve token --rotate`). */
  token: string | (() => string);
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 8000; 0 picks a free port at `listen()`. */
  port?: number;
  /** More Host names to answer (e.g. the machine's LAN name when bound to a non-loopback address). */
  extraHosts?: string[];
  now?: () => number;
  /** What applying and rejecting proposals needs (default: built from config, with this orchestrator's approvals). */
  applyDeps?: () => Promise<ApplyDeps>;
  env?: NodeJS.ProcessEnv;
  /** Reports a background task that failed to run (default: nothing; the task records its own failure). */
  onBackgroundError?: (error: unknown) => void;
}

export interface WebServer {
  readonly app: ReturnType<typeof buildApp>;
  readonly host: string;
  /** Starts listening; resolves to the bound address. */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** The port bound (or configured, before `listen`). */
  port(): number;
  /** Aborts background tasks, closes sockets and the listener. */
  close(): Promise<void>;
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  E_USAGE: 400,
  E_VALIDATION: 400,
  E_BAD_REQUEST: 400,
  E_NOT_FOUND: 404,
  E_APPROVAL: 409,
  E_CONFLICT: 409,
};

const ID = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "an id is letters, digits, - and _ (at most 64)")
  .describe("a full id");

const TaskListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, "a cursor is the `next` value of the previous page")
    .optional(),
  status: z.enum(TASK_STATUSES).optional(),
});

const ProposalListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  status: z.enum(PROPOSAL_STATUSES).optional(),
});

const StatsQuery = z.strictObject({
  since: z
    .string()
    .max(64)
    .optional()
    .describe("a window like 30m, 24h, 7d or 4w, a date like 2026-11-01, or all (the default)"),
});

const CreateTaskBody = z.strictObject({
  input: z.string().trim().min(1, "the task is empty").max(100_000),
  agent: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "an agent name is lowercase letters, digits, - and _")
    .optional(),
  tier: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,64}$/, "a tier is a model_name of litellm.yaml")
    .optional(),
});

const DecisionBody = z.strictObject({
  decision: z.enum(["approve", "deny"]),
  hash: z.string().regex(/^[0-9a-f]{64}$/, "the hash is the 64 hex digits the approval was shown with"),
});

const SessionBody = z.strictObject({ token: z.string().min(1).max(512) });

const ResumeMessage = z.strictObject({
  resume: z.strictObject({ task_id: ID, after_seq: z.number().int().min(0) }),
});

type Auth = "bearer" | "cookie";

declare module "fastify" {
  interface FastifyRequest {
    hobAuth?: Auth;
    hobToken?: string;
  }
}

function encodeCursor(task: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([task.createdAt, task.id])).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const bad = new HobError("E_USAGE", "The cursor is not one this server gave out.", {
    hint: "Pass the `next` value of the previous page unchanged, or leave cursor out for the first page.",
  });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad;
  }
  const parsed = z.tuple([z.number().int().nonnegative(), ID]).safeParse(value);
  if (!parsed.success) throw bad;
  return { createdAt: parsed.data[0], id: parsed.data[1] };
}

function preview(approval: ApprovalRecord): { summary: string; diff: string | null } {
  const p = (approval.preview ?? {}) as { summary?: unknown; diff?: unknown };
  return {
    summary: typeof p.summary === "string" ? p.summary : approval.tool,
    diff: typeof p.diff === "string" ? p.diff : null,
  };
}

export function toWebApprovalJson(approval: ApprovalRecord) {
  const { summary, diff } = preview(approval);
  return {
    id: approval.id,
    kind: approval.subjectKind === "proposal" ? ("proposal" as const) : ("tool" as const),
    tool: approval.tool,
    summary,
    diff,
    hash: approval.hash,
    reason: approval.reason,
    task_id: approval.taskId,
    ...(approval.subjectKind === "proposal" ? { proposal_id: approval.callId } : {}),
    intact: approval.intact,
    created_at: new Date(approval.createdAt).toISOString(),
    expires_at: new Date(approval.expiresAt).toISOString(),
  };
}

function errorBody(code: ErrorCode | string, message: string, hint?: string) {
  return { error: { code, message, ...(hint ? { hint } : {}) } };
}

function buildApp() {
  return Fastify({
    // No request logging: a URL or header must never carry the token into a log.
    logger: false,
    bodyLimit: 1024 * 1024,
    // Host checks are ours; trust no proxy headers.
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>();
}

/**
 * The web API of `hob serve`: REST under /api and a WebSocket of the event bus, secure
 * by default (loopback, Host allowlist, Origin check, bearer token or SameSite=Strict
 * session cookie with a CSRF header, strict security headers).
 */
export function createWebServer(deps: WebServerDeps): WebServer {
  const host = deps.host ?? "127.0.0.1";
  const configuredPort = deps.port ?? 8000;
  const now = deps.now ?? Date.now;
  const currentToken = typeof deps.token === "function" ? deps.token : () => deps.token as string;
  const app = buildApp();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const background = new AbortController();
  const running = new Set<Promise<unknown>>();
  let boundPort: number | undefined;
  const port = () => boundPort ?? configuredPort;
  let hostsFor: { port: number; hosts: Set<string> } | undefined;
  const hosts = () => {
    if (hostsFor?.port !== port()) hostsFor = { port: port(), hosts: allowedHosts(host, port(), deps.extraHosts) };
    return hostsFor.hosts;
  };

  const inBackground = (work: Promise<unknown>) => {
    const tracked = work
      .catch((error) => deps.onBackgroundError?.(error))
      .finally(() => {
        running.delete(tracked);
      });
    running.add(tracked);
  };

  let applyDepsCache: Promise<ApplyDeps> | undefined;
  const applyDeps = () => {
    applyDepsCache ??= deps.applyDeps
      ? deps.applyDeps()
      : (async () => {
          const improve = await import("../improve/index.js");
          const built = await improve.applyDeps(deps.config, deps.store, deps.env ?? process.env);
          // Decide through this server's approval owner, so the decision reaches the bus.
          return { ...built, approvals: deps.orchestrator.approvals };
        })();
    return applyDepsCache;
  };

  let skillRegistry: SkillRegistry | undefined;
  const skills = async () => {
    if (!skillRegistry) {
      const { createSkillRegistry } = await import("../orchestrator/index.js");
      skillRegistry = createSkillRegistry(deps.config, deps.store, now);
    }
    // As `hob skills list` does: the folders as they are now, changed ones re-validated.
    await skillRegistry.sync();
    return skillRegistry;
  };

  /** A proposal by its full id (a prefix is the CLI's convenience, not the API's). */
  const proposalById = (id: string) => {
    const proposal = deps.store.proposals.get(id);
    if (proposal.id !== id) {
      throw new HobError("E_NOT_FOUND", `There is no proposal ${id}.`, {
        hint: "Use the full id from GET /api/proposals.",
      });
    }
    return proposal;
  };

  app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS);
    reply.header("cache-control", "no-store");

    // DNS rebinding: only our own names, with our port.
    const hostHeader = (request.headers.host ?? "").toLowerCase();
    if (!hosts().has(hostHeader)) {
      return reply
        .code(421)
        .send(
          errorBody(
            "E_HOST",
            "This server does not answer for that Host.",
            `Open it as http://127.0.0.1:${port()}/ (or localhost).`,
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
    if (!path.startsWith("/api/") && path !== "/api") return; // 404 below, with the headers
    if (path === "/api/health" || (path === "/api/session" && request.method === "POST")) return;

    // Bearer token (scripts), else the session cookie (the page). Never a token in the URL.
    const token = currentToken();
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer ([^\s]+)$/.exec(authorization);
      if (!match || !sameSecret(match[1] as string, token)) return unauthorised(reply);
      request.hobAuth = "bearer";
    } else {
      const session = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (!session || !validSession(session, token, now())) return unauthorised(reply);
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
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? "request";
      const details = error.validation
        .map((v) => `${where}${v.instancePath ? v.instancePath.replace(/\//g, ".") : ""}: ${v.message}`)
        .join("; ");
      return reply
        .code(400)
        .send(
          errorBody("E_USAGE", `Invalid ${where}: ${details}.`, "Check the request against the API in the README."),
        );
    }
    if (error instanceof HobError) {
      const status = HTTP_STATUS[error.code] ?? 500;
      return reply.code(status).send(errorBody(error.code, error.message, error.hint));
    }
    const status = typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Malformed JSON, a wrong content type, a body too large: the client's mistake, said plainly.
      return reply
        .code(status)
        .send(errorBody("E_USAGE", error.message, "Send a JSON body with Content-Type: application/json."));
    }
    const wrapped = toHobError(error);
    return reply
      .code(500)
      .send(errorBody("E_INTERNAL", "The server failed on this request.", wrapped.hint ?? "See hob serve's output."));
  });

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send(errorBody("E_NOT_FOUND", "There is no such route."));
  });

  app.get("/api/health", async () => ({ ok: true }));

  app.post("/api/session", { schema: { body: SessionBody } }, async (request, reply) => {
    const token = currentToken();
    if (!sameSecret(request.body.token, token)) return unauthorised(reply);
    reply.header("set-cookie", sessionCookie(newSession(token, now())));
    return { ok: true };
  });

  app.delete("/api/session", async (_request, reply) => {
    reply.header("set-cookie", clearedSessionCookie());
    return { ok: true };
  });

  app.get("/api/tasks", { schema: { querystring: TaskListQuery } }, async (request) => {
    const { limit, cursor, status } = request.query;
    const page = deps.store.tasks.list({
      limit: limit + 1,
      ...(status ? { status } : {}),
      ...(cursor ? { before: decodeCursor(cursor) } : {}),
    });
    const items = page.slice(0, limit);
    const last = items.at(-1);
    return { items: items.map(toTaskJson), next: page.length > limit && last ? encodeCursor(last) : null };
  });

  app.get("/api/tasks/:id", { schema: { params: z.strictObject({ id: ID }) } }, async (request) => {
    const task = deps.store.tasks.getWithUsage(request.params.id);
    return toTaskDetailJson(task, deps.store.modelCalls.forTask(task.id), deps.store.steps.forTask(task.id));
  });

  app.post("/api/tasks", { schema: { body: CreateTaskBody } }, async (request, reply) => {
    const { input, agent, tier } = request.body;
    let id: string | undefined;
    // The task's row and its `task-created` event exist before run() first waits: the id is known at once.
    const run = deps.orchestrator.run({
      input,
      ...(agent ? { agent } : {}),
      ...(tier ? { tier: tier as Tier } : {}),
      signal: background.signal,
      onEvent: (event) => {
        if (event.type === "task-created") id ??= event.task_id;
      },
    });
    if (id === undefined) {
      await run; // a refusal before the task exists (unknown agent or tier): its HobError answers
      throw new HobError("E_INTERNAL", "The task did not start.");
    }
    inBackground(run);
    return reply.code(202).send({ id });
  });

  app.get("/api/approvals", async () => {
    const pending = deps.orchestrator.approvals.list({ status: "pending", limit: 500 });
    return { items: pending.filter((a) => a.expiresAt > now()).map(toWebApprovalJson) };
  });

  app.post(
    "/api/approvals/:id",
    { schema: { params: z.strictObject({ id: ID }), body: DecisionBody } },
    async (request) => {
      const { decision, hash } = request.body;
      const approvals = deps.orchestrator.approvals;
      const approval = approvals.get(request.params.id);
      if (approval.id !== request.params.id) {
        throw new HobError("E_NOT_FOUND", `There is no approval ${request.params.id}.`, {
          hint: "Use the full id from GET /api/approvals.",
        });
      }
      if (!sameSecret(hash, approval.hash)) {
        throw new HobError("E_APPROVAL", "The approval changed since it was shown: its hash does not match.", {
          hint: "Reload the approvals and decide on what is shown now.",
        });
      }
      if (approval.subjectKind === "proposal") {
        const apply = await applyDeps();
        const improve = await import("../improve/index.js");
        const proposal =
          decision === "approve"
            ? await improve.approveProposal(apply, approval.callId, "web")
            : await improve.rejectProposal(apply, approval.callId, "web");
        return {
          id: approval.id,
          kind: "proposal",
          status: approvals.get(approval.id).status,
          proposal: toProposalJson(proposal),
        };
      }
      const decided = approvals.decide(approval.id, decision === "approve" ? "approved" : "denied", "web");
      // The task continues in the background; its progress arrives on /api/events.
      inBackground(approvals.resume(approval.id, { signal: background.signal }));
      return { id: decided.id, kind: "tool", status: decided.status, task_id: decided.taskId };
    },
  );

  app.get("/api/proposals", { schema: { querystring: ProposalListQuery } }, async (request) => {
    const { limit, status } = request.query;
    return { items: deps.store.proposals.list({ limit, ...(status ? { status } : {}) }).map(toProposalJson) };
  });

  app.get("/api/proposals/:id", { schema: { params: z.strictObject({ id: ID }) } }, async (request) =>
    toProposalDetailJson(proposalById(request.params.id)),
  );

  app.post("/api/proposals/:id/rollback", { schema: { params: z.strictObject({ id: ID }) } }, async (request) => {
    const { id } = proposalById(request.params.id);
    const improve = await import("../improve/index.js");
    const proposal = await improve.rollbackProposal(await applyDeps(), id);
    return { id: proposal.id, status: proposal.status, commit: proposal.revertSha };
  });

  app.get("/api/skills", async () => {
    const registry = await skills();
    return { items: toSkillListJson(registry.list(), registry.invalid()) };
  });

  app.get("/api/stats", { schema: { querystring: StatsQuery } }, async (request) => {
    const { counterfactualPrice } = await import("../models/index.js");
    return deps.store.stats(parseSince(request.query.since, now()), counterfactualPrice(deps.config));
  });

  app.get("/api/config", async () => {
    const { routerWarnings } = await import("../models/index.js");
    return toConfigJson(deps.config, routerWarnings(deps.config));
  });

  app.register(async (scope) => {
    scope.get("/api/events", { websocket: true }, (socket, request) => {
      const token = request.hobToken;
      const send = (value: unknown) => {
        if (socket.readyState !== socket.OPEN) return;
        // A client that stops reading is dropped rather than buffered without end.
        if (socket.bufferedAmount > 8 * 1024 * 1024) {
          socket.close(1013, "too slow");
          return;
        }
        socket.send(JSON.stringify(value));
      };
      // A rotated token ends this connection too.
      const stillValid = () => token !== undefined && currentToken() === token;
      const listener = (event: HobEvent) => {
        if (!stillValid()) {
          socket.close(4401, "token rotated");
          return;
        }
        send(event);
      };
      const off = deps.bus.on(listener);
      socket.on("close", off);
      socket.on("error", off);
      socket.on("message", (data: Buffer, isBinary: boolean) => {
        let parsed: ReturnType<typeof ResumeMessage.safeParse>;
        try {
          parsed = ResumeMessage.safeParse(isBinary ? undefined : JSON.parse(data.toString("utf8")));
        } catch {
          parsed = ResumeMessage.safeParse(undefined);
        }
        if (!parsed.success) {
          send(
            errorBody(
              "E_USAGE",
              "Unknown message.",
              'Send {"resume":{"task_id":"…","after_seq":N}} to catch up on a task.',
            ),
          );
          return;
        }
        if (!stillValid()) {
          socket.close(4401, "token rotated");
          return;
        }
        const { task_id, after_seq } = parsed.data.resume;
        for (const event of deps.bus.since(task_id, after_seq)) send(event);
      });
    });
  });

  return {
    app,
    host,
    port,
    async listen() {
      await app.listen({ host, port: configuredPort });
      boundPort = (app.server.address() as AddressInfo).port;
      return { host, port: boundPort, url: `http://${hostWithPortForUrl(host, boundPort)}/` };
    },
    async close() {
      background.abort(new HobError("E_CANCELLED", "hob serve is stopping."));
      for (const client of app.websocketServer?.clients ?? []) client.close(1001, "server stopping");
      await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, 5_000).unref())]);
      await app.close();
    },
  };
}

function unauthorised(reply: FastifyReply) {
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

function hostWithPortForUrl(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare.includes(":") ? `[${bare}]:${port}` : `${bare}:${port}`;
}

export { isLoopbackHost };
