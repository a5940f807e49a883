import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import websocket from "@fastify/websocket";
import type { FastifyError } from "fastify";
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { LoadedConfig } from "../config/index.js";
import { HobError, toHobError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import type { ApplyDeps } from "../improve/index.js";
import type { Orchestrator } from "../orchestrator/index.js";
import type { SkillRegistry } from "../skills/index.js";
import type { Store } from "../store/index.js";
import { registerDocs } from "./docs.js";
import { requestGuard } from "./guard.js";
import { buildApp, errorBody, HTTP_STATUS, hostWithPortForUrl } from "./http.js";
import { approvalRoutes } from "./routes/approvals.js";
import type { RouteContext } from "./routes/context.js";
import { eventRoutes } from "./routes/events.js";
import { infoRoutes } from "./routes/info.js";
import { loginRoutes } from "./routes/login.js";
import { memoryRoutes } from "./routes/memory.js";
import { proposalRoutes } from "./routes/proposals.js";
import { sessionRoutes } from "./routes/sessions.js";
import { taskRoutes } from "./routes/tasks.js";
import { uiRoutes } from "./routes/ui.js";
import { allowedHosts, SessionRevocations } from "./security.js";

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
  /**
   * The configuration and orchestrator in effect at each request (`hob serve` passes one that
   * follows hob.yaml and approved proposals); default: `config` and `orchestrator`, fixed.
   */
  live?: () => { config: LoadedConfig; orchestrator: Orchestrator };
  /** The built dashboard (index.html and assets/); default dist/ui of this installation. */
  uiDir?: string;
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

/** dist/ui beside the built server (dist/web), or the build output when running from src/ (tests, tsx). */
export function defaultUiDir(): string {
  const candidates = ["../ui", "../../dist/ui"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((dir) => existsSync(dir)) ?? (candidates[0] as string);
}

function packageVersion(): string {
  try {
    const file = fileURLToPath(new URL("../../package.json", import.meta.url));
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/**
 * The web server of `hob serve`: REST under /api, a WebSocket of the event bus, the
 * dashboard and the API docs; secure by default (loopback, Host allowlist, Origin check,
 * bearer token or SameSite=Strict session cookie with a CSRF header, strict headers).
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

  const revoked = new SessionRevocations();
  let applyDepsCache: Promise<ApplyDeps> | undefined;
  let skillRegistry: SkillRegistry | undefined;
  const ctx: RouteContext = {
    app,
    current: deps.live ?? (() => ({ config: deps.config, orchestrator: deps.orchestrator })),
    store: deps.store,
    bus: deps.bus,
    now,
    token: currentToken,
    revoked,
    signal: background.signal,
    inBackground(work) {
      const tracked = work
        .catch((error) => deps.onBackgroundError?.(error))
        .finally(() => {
          running.delete(tracked);
        });
      running.add(tracked);
    },
    async applyDeps() {
      if (deps.applyDeps) return deps.applyDeps();
      applyDepsCache ??= (async () => {
        const improve = await import("../improve/index.js");
        return improve.applyDeps(deps.config, deps.store, deps.env ?? process.env);
      })();
      // Decide through this server's approval owner, so the decision reaches the bus.
      return { ...(await applyDepsCache), approvals: ctx.current().orchestrator.approvals };
    },
    async skills() {
      if (!skillRegistry) {
        const { createSkillRegistry } = await import("../orchestrator/index.js");
        skillRegistry = createSkillRegistry(ctx.current().config, deps.store, now);
      }
      // As `hob skills list` does: the folders as they are now, changed ones re-validated.
      await skillRegistry.sync();
      return skillRegistry;
    },
  };

  app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.addHook("onRequest", requestGuard({ hosts, port, token: currentToken, now, revoked }));
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? "request";
      const details = error.validation
        .map((v) => `${where}${v.instancePath ? v.instancePath.replace(/\//g, ".") : ""}: ${v.message}`)
        .join("; ");
      return reply.code(400).send(errorBody("E_USAGE", `Invalid ${where}: ${details}.`, "See the API at /docs."));
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

  // Docs first: swagger collects the routes registered after it.
  registerDocs(app, packageVersion());
  app.register(async (scope) => {
    const scoped = { ...ctx, app: scope as unknown as typeof app };
    scope.get(
      "/api/health",
      { config: { public: true }, schema: { tags: ["health"], summary: "Liveness, no authentication" } },
      async () => ({
        ok: true,
      }),
    );
    loginRoutes(scoped);
    taskRoutes(scoped);
    sessionRoutes(scoped);
    approvalRoutes(scoped);
    proposalRoutes(scoped);
    infoRoutes(scoped);
    memoryRoutes(scoped);
    eventRoutes(scoped);
    uiRoutes(scoped, deps.uiDir ?? defaultUiDir());
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
