/**
 * Red-team tests of `hob serve`'s web API. Tests named `F<n>` are the attacks of a red-team pass
 * that got through (each asserts the secure behaviour; all were fixed after it). Tests under
 * "holds" pin down attacks the server withstood.
 *
 * Attacker models: another local process or user (127.0.0.1 is reachable by every user of the
 * machine; with --host 0.0.0.0 by the LAN), a web page in the user's browser (cross-site, or
 * same-site on another localhost port), a malicious task input or model output.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/index.js";
import { EventBus } from "../src/events/index.js";
import { createOrchestrator, createRouter } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { loadOrCreateToken, rotateToken } from "../src/web/index.js";
import { REPO_ROOT } from "./helpers.js";
import { pendingRoutingProposal } from "./proposal-helper.js";
import {
  anthropic,
  api,
  bearer,
  env,
  HOST,
  heard,
  home,
  listening,
  login,
  ORIGIN,
  orchestrator,
  server,
  store,
  token,
  tool,
  useWebServer,
} from "./web-fixture.js";

useWebServer();

/** One raw HTTP/1.1 exchange over a real socket (request lines and headers no HTTP client would send). */
function raw(port: number, request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let out = "";
    socket.on("data", (chunk) => {
      out += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", ...rest] = out.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), headers: head, body: rest.join("\r\n\r\n") });
    });
    socket.setTimeout(3000, () => socket.destroy());
  });
}

/** A task paused on an overwrite of todo.txt (what a model would ask for), with its approval as the API lists it. */
async function pausedWrite(): Promise<{ taskId: string; id: string; hash: string }> {
  anthropic.enqueue(tool("write_file", { path: "todo.txt", content: "pwned\n" }));
  const paused = await orchestrator.run({ input: "edit my todo", agent: "code", tier: "fast" });
  expect(paused.status).toBe("awaiting_approval");
  const [approval] = (await api({ method: "GET", url: "/api/approvals", headers: bearer() })).json().items;
  return { taskId: paused.id, id: approval.id, hash: approval.hash };
}

describe("F1 (critical, fixed): authentication is decided on the route the router chose, not on the raw URL", () => {
  it("F1a: a percent-encoded /api path (/%61pi/…) needs the token like /api/…", async () => {
    // The guard's isPublic() sees "/%61pi/config" (not under /api/) and lets it through; find-my-way
    // decodes %61 to "a" and routes it to GET /api/config.
    for (const url of ["/%61pi/config", "/%61pi/approvals", "/%61pi/tasks", "/%61pi/proposals", "/%61pi/sessions"]) {
      const res = await api({ method: "GET", url });
      expect(res.statusCode, url).toBe(401);
    }
  });

  it("F1b: an absolute-form request line (GET http://x/api/…) is refused", async () => {
    const port = await listening();
    const res = await raw(
      port,
      `GET http://evil.example/api/config HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).not.toBe(200);
    expect(res.body).not.toContain('"config"');
  });

  it("F1c: with no token, a local process cannot approve a pending file write", async () => {
    const { id, hash, taskId } = await pausedWrite();
    // Everything needed is readable without a token: the approval's id and hash.
    const listed = await api({ method: "GET", url: "/%61pi/approvals" });
    expect(listed.statusCode).toBe(401);
    anthropic.enqueue({ kind: "text", text: "Done." });
    const res = await api({
      method: "POST",
      url: `/%61pi/approvals/${id}`,
      headers: { "content-type": "application/json" },
      payload: { decision: "approve", hash },
    });
    expect(res.statusCode).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(heard.some((e) => e.task_id === taskId && e.type === "task-finished")).toBe(false);
    expect(readFileSync(join(home, "workspace", "todo.txt"), "utf8")).toBe("call mum\n");
  });

  it("F1d: with no token, a local process cannot approve a self-modification proposal", async () => {
    const proposalId = await pendingRoutingProposal(store, env, {
      key: "redteam",
      complexity: "simple",
      agent: "general",
      tier: "smart",
    });
    const approval = store.approvals.list({ status: "pending" }).find((a) => a.callId === proposalId);
    expect(approval).toBeDefined();
    const res = await api({
      method: "POST",
      url: `/%61pi/approvals/${approval?.id}`,
      payload: { decision: "approve", hash: approval?.hash },
    });
    expect(res.statusCode).toBe(401);
    expect(store.proposals.get(proposalId).status).toBe("pending");
  });

  it("F1e: with no token, a local process cannot start tasks through POST /%61pi/tasks", async () => {
    anthropic.setDefault(() => ({ kind: "text", text: "ok" }));
    const res = await api({
      method: "POST",
      url: "/%61pi/tasks",
      payload: { input: "hi", agent: "general", tier: "fast" },
    });
    expect(res.statusCode).toBe(401);
    expect(store.tasks.list({ limit: 5 })).toHaveLength(0);
  });
});

describe("F2 (medium, fixed): all of HOB_HOME but the workspace is out of a task's reach, even when the workspace contains HOB_HOME", () => {
  it("F2: a task can neither read web.token nor write serve.env (the service's environment) when the workspace holds HOB_HOME", async () => {
    // HOB_HOME is not named .hob (so the .hob pattern does not apply), and the workspace is its parent,
    // the case hobStatePaths() exists for ("even if a workspace contains HOB_HOME").
    const parent = join(home, "projects");
    const hobHome = join(parent, "hobhome");
    mkdirSync(hobHome, { recursive: true });
    writeFileSync(join(hobHome, "hob.yaml"), `workspace: ${parent}\n`);
    const innerEnv = { ...env, HOB_HOME: hobHome };
    const innerToken = loadOrCreateToken(hobHome);
    const config = loadConfig(innerEnv);
    expect(config.config.workspace).toBe(parent);
    const innerStore = Store.open(join(hobHome, "hob.db"));
    try {
      const inner = createOrchestrator(config, innerStore, createRouter(config, innerStore), new EventBus());
      anthropic.enqueue(
        tool("read_file", { path: "hobhome/web.token" }),
        tool("write_file", { path: "hobhome/serve.env", content: "ANTHROPIC_BASE_URL=http://evil.example\n" }),
        { kind: "text", text: "Done." },
      );
      await inner.run({ input: "tidy my projects", agent: "code", tier: "fast" });
      // The token reaches the model (and so whoever steers it) as a tool result; serve.env is the systemd
      // unit's EnvironmentFile, read at the next (re)start, and the environment wins over hob.yaml.
      const sent = anthropic.messageRequests.map((r) => JSON.stringify(r.body.messages)).join("\n");
      expect({
        tokenSentToModel: sent.includes(innerToken),
        serveEnvWritten: existsSync(join(hobHome, "serve.env")),
      }).toEqual({ tokenSentToModel: false, serveEnvWritten: false });
    } finally {
      innerStore.close();
    }
  });
});

describe("F3-F6 (low)", () => {
  it("F3 (fixed): 20 bad tries a minute from a local process do not lock the real user out", async () => {
    for (let i = 0; i < 20; i++) {
      // No Origin: a local script, not a browser. (A cross-site page gets 403 before the limiter.)
      await api({ method: "POST", url: "/api/session", payload: { token: `guess-${i}` } });
    }
    const real = await api({ method: "POST", url: "/api/session", headers: { origin: ORIGIN }, payload: { token } });
    expect(real.statusCode).toBe(200);
  });

  it("F4 (fixed): a session cookie stops working at log-out, not only in the browser that logged out", async () => {
    const cookie = await login();
    const out = await api({
      method: "DELETE",
      url: "/api/session",
      headers: { cookie, origin: ORIGIN, "x-hob-csrf": "1" },
    });
    expect(out.statusCode).toBe(200);
    const after = await api({ method: "GET", url: "/api/config", headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it("F5 (fixed): an out-of-range ?since= is a 400 E_USAGE, never 500", async () => {
    for (const since of ["99999999999999999999w", "9999999999999999d"]) {
      const res = await api({ method: "GET", url: `/api/stats?since=${since}`, headers: bearer() });
      expect(res.statusCode, since).toBe(400);
    }
  });

  it("F6 (fixed): a decoy hob_session cookie (set by a page on another port) does not shadow the real one", async () => {
    // Cookies ignore ports: http://127.0.0.1:3000 can set `hob_session=x; Path=/api` for 127.0.0.1, and the
    // browser sends the more specific path first. Every value is tried, not only the first.
    const cookie = await login();
    const res = await api({ method: "GET", url: "/api/tasks", headers: { cookie: `hob_session=decoy; ${cookie}` } });
    expect(res.statusCode).toBe(200);
  });
});

describe("holds", () => {
  it("Host variants are refused with 421 on a real socket (trailing dot, userinfo, short/mapped IPs, no Host)", async () => {
    const port = await listening();
    for (const host of [
      `localhost.:${port}`,
      `127.0.0.1:${port}@evil.example`,
      `127.1:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `0x7f000001:${port}`,
      `evil.example:${port}`,
      "127.0.0.1",
      `127.0.0.1:${port}.evil.example`,
    ]) {
      const res = await raw(port, `GET /api/health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(res.status, host).toBe(421);
      expect(res.headers.toLowerCase()).toContain("content-security-policy");
    }
    const noHost = await raw(port, "GET /api/health HTTP/1.0\r\n\r\n");
    expect(noHost.status).toBe(421);
  });

  it("no CORS: a preflight from a foreign Origin gets no Access-Control-* header; text/plain and override tricks fail", async () => {
    const preflight = await api({
      method: "OPTIONS",
      url: "/api/tasks",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith("access-control"))).toEqual([]);
    const cookie = await login();
    const simple = await api({
      method: "POST",
      url: "/api/tasks",
      headers: { cookie, origin: ORIGIN, "content-type": "text/plain" },
      payload: JSON.stringify({ input: "hi" }),
    });
    expect(simple.statusCode).toBe(403);
    const nullOrigin = await api({
      method: "POST",
      url: "/api/tasks",
      headers: { cookie, origin: "null", "x-hob-csrf": "1" },
      payload: { input: "hi" },
    });
    expect(nullOrigin.statusCode).toBe(403);
    const override = await api({
      method: "GET",
      url: "/api/tasks",
      headers: { cookie, "x-http-method-override": "POST" },
    });
    expect(override.json()).toHaveProperty("items"); // stays a GET
    expect(store.tasks.list({ limit: 5 })).toHaveLength(0);
  });

  it("a WebSocket upgrade spelled /%61pi/events needs the token like /api/events (F1 fixed), and a socket past it still checks the token per event", async () => {
    await expect(server.app.injectWS("/%61pi/events", { headers: { host: HOST } })).rejects.toThrow(/401/);
    const ws = await server.app.injectWS("/%61pi/events", { headers: { host: HOST, ...bearer() } });
    const closed = new Promise<number>((resolve) => ws.on("close", (code: number) => resolve(code)));
    rotateToken(home);
    anthropic.enqueue({ kind: "text", text: "secret answer" });
    await orchestrator.run({ input: "secret question", agent: "general", tier: "fast" });
    expect(await closed).toBe(4401);
  });

  it("approvals: wrong hash, another approval's hash, a prefix id, approving twice, deny after approve are all refused", async () => {
    const first = await pausedWrite();
    anthropic.enqueue(tool("delete_file", { path: "todo.txt" }));
    await orchestrator.run({ input: "delete my todo", agent: "code", tier: "fast" });
    const items = (await api({ method: "GET", url: "/api/approvals", headers: bearer() })).json().items as Array<{
      id: string;
      hash: string;
    }>;
    const second = items.find((a) => a.id !== first.id);
    expect(second).toBeDefined();
    const decide = (id: string, hash: string) =>
      api({ method: "POST", url: `/api/approvals/${id}`, headers: bearer(), payload: { decision: "approve", hash } });
    expect((await decide(first.id, second?.hash as string)).statusCode).toBe(409);
    const prefix = await decide(first.id.slice(0, -1), first.hash);
    expect(prefix.statusCode, prefix.body).toBe(404);
    anthropic.enqueue({ kind: "text", text: "ok" });
    expect((await decide(first.id, first.hash)).statusCode).toBe(200);
    expect((await decide(first.id, first.hash)).statusCode).toBe(409);
    const denied = await api({
      method: "POST",
      url: `/api/approvals/${first.id}`,
      headers: bearer(),
      payload: { decision: "deny", hash: first.hash },
    });
    expect(denied.statusCode).toBe(409);
  });

  it("a proposal's approval cannot be decided with a tool approval's hash, and a pending one cannot be rolled back", async () => {
    const tool = await pausedWrite();
    const proposalId = await pendingRoutingProposal(store, env, {
      key: "redteam2",
      complexity: "simple",
      agent: "general",
      tier: "smart",
    });
    const approval = store.approvals.list({ status: "pending" }).find((a) => a.callId === proposalId);
    const res = await api({
      method: "POST",
      url: `/api/approvals/${approval?.id}`,
      headers: bearer(),
      payload: { decision: "approve", hash: tool.hash },
    });
    expect(res.statusCode).toBe(409);
    expect(store.proposals.get(proposalId).status).toBe("pending");
    const rollback = await api({ method: "POST", url: `/api/proposals/${proposalId}/rollback`, headers: bearer() });
    expect(rollback.statusCode).toBe(409);
  });

  it("static files: no traversal through /docs/static or /assets, no source maps or dotfiles; CSP on every answer", async () => {
    const port = await listening();
    for (const path of [
      "/docs/static/../../../package.json",
      "/docs/static/%2e%2e/%2e%2e/%2e%2e/package.json",
      "/docs/static/..%2f..%2f..%2fpackage.json",
      "/assets/app.js.map",
      "/assets/.env",
      "/assets/%2e%2e%2fpackage.json",
      "/assets/..%5cpackage.json",
      "/package.json",
      "/dist/ui/index.html",
    ]) {
      const res = await raw(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.body, path).not.toContain('"devDependencies"');
      expect(res.headers.toLowerCase(), path).toContain("content-security-policy: default-src 'self'");
    }
    for (const path of ["/docs/", "/docs/json", "/docs/static/swagger-initializer.js", "/"]) {
      const res = await raw(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
      expect(res.status, path).toBe(200);
      const csp = /content-security-policy: ([^\r]*)/i.exec(res.headers)?.[1] ?? "";
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain("unsafe");
      expect(res.body, path).not.toContain(token);
    }
  });

  it("the dashboard builds DOM from text only: no innerHTML-like sink in ui/src", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (path.endsWith(".ts")) files.push(path);
      }
    };
    walk(join(REPO_ROOT, "ui", "src"));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      expect(code, file).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|srcdoc|createContextualFragment|DOMParser|new Function|\beval\(/,
      );
    }
    const built = readFileSync(join(REPO_ROOT, "dist", "ui", "assets", "app.js"), "utf8");
    expect(built).not.toMatch(/\.innerHTML\s*=|insertAdjacentHTML|document\.write\(/);
  });

  it("the default workspace keeps a task away from hob.yaml, the token and the managed repository", async () => {
    writeFileSync(join(home, "hob.yaml"), "temperature: 0\n");
    anthropic.enqueue(
      tool("write_file", { path: "../hob.yaml", content: "approvals: { overwrite: allow }\n" }),
      tool("read_file", { path: "../web.token" }),
      tool("write_file", { path: "../serve.env", content: "X=1\n" }),
      { kind: "text", text: "Done." },
    );
    await orchestrator.run({ input: "configure yourself", agent: "code", tier: "fast" });
    expect(anthropic.messageRequests).toHaveLength(4); // every call ran (and was refused), then the answer
    expect(readFileSync(join(home, "hob.yaml"), "utf8")).toBe("temperature: 0\n");
    expect(existsSync(join(home, "serve.env"))).toBe(false);
    const sent = anthropic.messageRequests.map((r) => JSON.stringify(r.body.messages)).join("\n");
    expect(sent).not.toContain(token);
  });

  it("a body over 1 MB is refused (413); the token never appears in an error", async () => {
    const big = await api({
      method: "POST",
      url: "/api/tasks",
      headers: { ...bearer(), "content-type": "application/json" },
      payload: JSON.stringify({ input: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    const wrong = await api({ method: "POST", url: "/api/session", payload: { token: `${token}x` } });
    expect(wrong.body).not.toContain(token);
  });
});
