/**
 * The web server the web tests drive: a temp HOB_HOME with a workspace, a real store, a real
 * orchestrator talking to the fake Anthropic server over HTTP, the fastify app of `hob serve`
 * and its token, with helpers for authenticated requests through fastify's inject.
 *
 * The state is exported as live bindings (`export let`): a test file imports `store`,
 * `server`, `token`… once and always reads the current test's values. Vitest runs each test
 * file in its own module graph, so no two files share them.
 *
 * - `useWebServer()`: a fresh home, store and server for every test (inject, no port).
 * - `openWeb()` / `closeWeb()`: the same, for a file that sets it up once (the browser tests).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, afterEach, beforeEach, expect } from "vitest";
import { loadConfig } from "../src/config/index.js";
import { EventBus, type HobEvent } from "../src/events/index.js";
import { createOrchestrator, createRouter, type Orchestrator } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { createWebServer, loadOrCreateToken, rotateToken, type WebServer } from "../src/web/index.js";
import { FakeAnthropic, type FakeReply } from "./fakes/anthropic.js";
import { CLOSED_PORT_URL, FAKE_API_KEY, tempHome, until } from "./helpers.js";

/** The Host the inject requests carry (the server's port is 8000 unless `openWeb` says otherwise). */
export const HOST = "127.0.0.1:8000";
export const ORIGIN = `http://${HOST}`;

/** A model reply that calls a tool. */
export const tool = (name: string, input: Record<string, unknown>): FakeReply => ({ kind: "tool_use", name, input });

export let anthropic: FakeAnthropic;
export let home: string;
export let store: Store;
export let bus: EventBus;
/** Every event the bus carried in this test. */
export let heard: HobEvent[];
export let env: NodeJS.ProcessEnv;
export let orchestrator: Orchestrator;
export let server: WebServer;
/** The token on disk when the server started (`renewToken()` rotates it and updates this). */
export let token: string;
let cleanup: (() => void) | undefined;
/** Servers a test started besides `server` (closed with it). */
let others: WebServer[] = [];

export interface WebOptions {
  /** The content of workspace/todo.txt. */
  todo?: string;
  /** Default 8000 (the port HOST names); 0 for a free port at `listen()`. */
  port?: number;
  /** The built dashboard to serve (default: the server's own default, dist/ui). */
  uiDir?: string;
}

/** Starts the fake model (once per file) and a fresh home, store, orchestrator and server. */
export async function openWeb(options: WebOptions = {}): Promise<void> {
  anthropic ??= await FakeAnthropic.start();
  anthropic.reset();
  ({ home, cleanup } = tempHome());
  mkdirSync(join(home, "workspace"), { recursive: true });
  writeFileSync(join(home, "workspace", "todo.txt"), options.todo ?? "call mum\n");
  store = Store.open(join(home, "hob.db"));
  bus = new EventBus();
  heard = [];
  bus.on((event) => heard.push(event));
  env = {
    HOB_HOME: home,
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_API_KEY: FAKE_API_KEY,
    OLLAMA_HOST: CLOSED_PORT_URL,
  };
  const config = loadConfig(env);
  orchestrator = createOrchestrator(config, store, createRouter(config, store), bus);
  token = loadOrCreateToken(home);
  server = createWebServer({
    config,
    store,
    orchestrator,
    bus,
    token: () => loadOrCreateToken(home),
    port: options.port ?? 8000,
    env,
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
  });
  await server.app.ready(); // injectWS needs the plugins loaded
}

/** Closes the servers and the store and deletes the home; with `model`, stops the fake model too. */
export async function closeWeb(options: { model?: boolean } = {}): Promise<void> {
  for (const other of others) await other.close();
  others = [];
  await server?.close();
  store?.close();
  cleanup?.();
  cleanup = undefined;
  if (options.model) await anthropic?.close();
}

/** A fresh home, store and server for every test of the file; one fake model for all of them. */
export function useWebServer(): void {
  beforeEach(() => openWeb());
  afterEach(() => closeWeb());
  afterAll(() => anthropic?.close());
}

/** A request to the in-process server, with our Host unless the test names another. */
export const api = (options: InjectOptions): Promise<LightMyRequestResponse> =>
  server.app.inject({ ...options, headers: { host: HOST, ...(options.headers ?? {}) } });

export const bearer = () => ({ authorization: `Bearer ${token}` });

/** Logs in with the token; returns the session cookie (`hob_session=…`) to send back. */
export async function login(): Promise<string> {
  const res = await api({
    method: "POST",
    url: "/api/session",
    headers: { origin: ORIGIN, "content-type": "application/json" },
    payload: { token },
  });
  expect(res.statusCode).toBe(200);
  const cookie = String(res.headers["set-cookie"]);
  expect(cookie).toMatch(/^hob_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  return cookie.split(";")[0] as string;
}

/** Rotates the token on disk (as `hob serve --rotate-token` does) and makes it the one `bearer()` sends. */
export function renewToken(): string {
  token = rotateToken(home);
  return token;
}

/**
 * Replaces `server` with one listening on a free port of 127.0.0.1 (for requests no HTTP client
 * would send, over a raw socket); returns the port.
 */
export async function listening(): Promise<number> {
  others.push(server);
  const config = loadConfig(env);
  server = createWebServer({ config, store, orchestrator, bus, token, port: 0, env });
  return (await server.listen()).port;
}

/** The event that ended (or paused) a task. */
export const finished = (taskId: string) =>
  until(`task ${taskId} to end`, () =>
    heard.find(
      (e) =>
        e.task_id === taskId && (e.type === "task-finished" || e.type === "task-failed" || e.type === "task-paused"),
    ),
  );
