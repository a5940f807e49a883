/**
 * The web API in-process (fastify inject / injectWS): every security rule as the attack
 * it stops, the routes against a real orchestrator talking to the fake Anthropic server
 * over HTTP, and the event bus over the WebSocket with resume.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InjectOptions } from "fastify";
import { describe, expect, it } from "vitest";
import { FAKE_API_KEY as API_KEY, runCli, until } from "../../test/helpers.js";
import { pendingRoutingProposal } from "../../test/proposal-helper.js";
import {
  anthropic,
  api,
  bearer,
  bus,
  env,
  finished,
  HOST,
  heard,
  home,
  login,
  ORIGIN,
  orchestrator,
  renewToken,
  server,
  store,
  token,
  tool,
  useWebServer,
} from "../../test/web-fixture.js";
import { loadConfig } from "../config/index.js";
import { toProposalDetailJson, toProposalJson, toTaskDetailJson, toTaskJson } from "../shapes/index.js";
import { createWebServer, loadOrCreateToken, rotateToken, tokenPath, type WebServer } from "./index.js";

useWebServer();

type Inject = InjectOptions;
type WebSocket = Awaited<ReturnType<WebServer["app"]["injectWS"]>>;

describe("web security (attacks)", () => {
  it("GET /api/health answers {ok:true} without auth and reveals nothing else", async () => {
    const res = await api({ method: "GET", url: "/api/health" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"ok":true}');
    expect(res.headers.server).toBeUndefined();
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("puts the security headers on every response (200, 401, 404, 421, 400)", async () => {
    const responses = await Promise.all([
      api({ method: "GET", url: "/api/health" }),
      api({ method: "GET", url: "/api/tasks" }),
      api({ method: "GET", url: "/nothing-here" }),
      api({ method: "GET", url: "/api/health", headers: { host: "evil.example:8000" } }),
      api({ method: "GET", url: "/api/tasks?limit=0", headers: bearer() }),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 401, 404, 421, 400]);
    for (const res of responses) {
      expect(res.headers["content-security-policy"]).toMatch(/^default-src 'self';.*frame-ancestors 'none'/);
      expect(String(res.headers["content-security-policy"])).not.toContain("unsafe-inline");
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
    }
  });

  it("answers 421 to a Host that is not ours (DNS rebinding), even with the token", async () => {
    for (const host of ["evil.example:8000", "evil.example", "127.0.0.1:9999", "127.0.0.1", "localhost.evil:8000"]) {
      const res = await api({ method: "GET", url: "/api/tasks", headers: { host, ...bearer() } });
      expect(res.statusCode, host).toBe(421);
    }
    for (const host of ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST:8000"]) {
      const res = await api({ method: "GET", url: "/api/tasks", headers: { host, ...bearer() } });
      expect(res.statusCode, host).toBe(200);
    }
  });

  it("refuses a WebSocket upgrade with a wrong Host (421) or a foreign Origin (403)", async () => {
    await expect(
      server.app.injectWS("/api/events", { headers: { host: "evil.example:8000", ...bearer() } }),
    ).rejects.toThrow(/421/);
    await expect(
      server.app.injectWS("/api/events", { headers: { host: HOST, origin: "http://evil.example", ...bearer() } }),
    ).rejects.toThrow(/403/);
    await expect(server.app.injectWS("/api/events", { headers: { host: HOST } })).rejects.toThrow(/401/);
    const cookie = await login();
    // A cookie alone (no Origin of ours) is not enough for a WebSocket.
    await expect(server.app.injectWS("/api/events", { headers: { host: HOST, cookie } })).rejects.toThrow(/403/);
    const ws = await server.app.injectWS("/api/events", { headers: { host: HOST, cookie, origin: ORIGIN } });
    ws.terminate();
  });

  it("refuses a state-changing request with a foreign Origin (403), even with the token", async () => {
    for (const origin of ["http://evil.example", "http://127.0.0.1:8001", "null", "https://127.0.0.1:8000"]) {
      const res = await api({
        method: "POST",
        url: "/api/tasks",
        headers: { origin, ...bearer() },
        payload: { input: "hi" },
      });
      expect(res.statusCode, origin).toBe(403);
      const session = await api({ method: "POST", url: "/api/session", headers: { origin }, payload: { token } });
      expect(session.statusCode, origin).toBe(403);
    }
    const crossSite = await api({
      method: "POST",
      url: "/api/tasks",
      headers: { "sec-fetch-site": "cross-site", ...bearer() },
      payload: { input: "hi" },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(anthropic.messageRequests).toHaveLength(0);
  });

  it("answers 401 without a token, with a wrong one, or with the token in the query string", async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ["/api/tasks", {}],
      ["/api/approvals", {}],
      ["/api/tasks/abc", {}],
      ["/api/proposals", {}],
      ["/api/proposals/abc", {}],
      ["/api/skills", {}],
      ["/api/stats", {}],
      ["/api/config", {}],
      ["/api/tasks", { authorization: "Bearer wrong-token" }],
      ["/api/tasks", { authorization: `Bearer ${token}x` }],
      ["/api/tasks", { authorization: `Basic ${Buffer.from(`u:${token}`).toString("base64")}` }],
      ["/api/tasks", { authorization: token }],
      [`/api/tasks?token=${token}`, {}],
      [`/api/tasks?access_token=${token}`, {}],
      ["/api/tasks", { cookie: "hob_session=1.abcdefghijklmnop.forged" }],
      ["/api/tasks", { cookie: `hob_session=${token}` }],
    ];
    for (const [url, headers] of cases) {
      const res = await api({ method: "GET", url, headers });
      expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: "E_AUTH" } });
    }
    const post = await api({ method: "POST", url: "/api/approvals/abc", payload: { decision: "approve", hash: "0" } });
    expect(post.statusCode).toBe(401);
    const rollback = await api({ method: "POST", url: "/api/proposals/abc/rollback" });
    expect(rollback.statusCode).toBe(401);
    expect(rollback.json()).toMatchObject({ error: { code: "E_AUTH" } });
  });

  it("logs in with the token for an HttpOnly SameSite=Strict cookie; a wrong token gets none", async () => {
    const wrong = await api({
      method: "POST",
      url: "/api/session",
      headers: { origin: ORIGIN },
      payload: { token: "x" },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers["set-cookie"]).toBeUndefined();
    const cookie = await login();
    expect((await api({ method: "GET", url: "/api/tasks", headers: { cookie } })).statusCode).toBe(200);
  });

  it("CSRF: a cookie-authenticated POST needs our Origin AND the X-Hob-CSRF header", async () => {
    const cookie = await login();
    const post = (headers: Record<string, string>) =>
      api({
        method: "POST",
        url: "/api/tasks",
        headers: { cookie, ...headers },
        payload: { input: "hello", agent: "general", tier: "fast" },
      });
    const noHeader = await post({ origin: ORIGIN });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json()).toMatchObject({ error: { code: "E_CSRF" } });
    // A form post: no custom header, form content type.
    const form = await api({
      method: "POST",
      url: "/api/tasks",
      headers: { cookie, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      payload: "input=rm+-rf",
    });
    expect(form.statusCode).toBe(403);
    expect((await post({ "x-hob-csrf": "1" })).statusCode).toBe(403); // no Origin
    expect((await post({ origin: "http://evil.example", "x-hob-csrf": "1" })).statusCode).toBe(403);
    expect(anthropic.messageRequests).toHaveLength(0);
    const ok = await post({ origin: ORIGIN, "x-hob-csrf": "1" });
    expect(ok.statusCode).toBe(202);
    await finished(ok.json().id);
  });

  it("ends sessions when the token is rotated", async () => {
    const cookie = await login();
    expect((await api({ method: "GET", url: "/api/tasks", headers: { cookie } })).statusCode).toBe(200);
    const old = token;
    renewToken();
    expect(token).not.toBe(old);
    expect((await api({ method: "GET", url: "/api/tasks", headers: { cookie } })).statusCode).toBe(401);
    expect(
      (await api({ method: "GET", url: "/api/tasks", headers: { authorization: `Bearer ${old}` } })).statusCode,
    ).toBe(401);
    expect((await api({ method: "GET", url: "/api/tasks", headers: bearer() })).statusCode).toBe(200);
  });

  it("creates the token file with mode 0600 and keeps it across starts", () => {
    expect(statSync(tokenPath(home)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateToken(home)).toBe(token);
    expect(readFileSync(tokenPath(home), "utf8").trim()).toBe(token);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("validates input: 400 with a clear E_USAGE error, never E_INTERNAL", async () => {
    const bad: Array<Inject> = [
      { method: "POST", url: "/api/tasks", payload: {} },
      { method: "POST", url: "/api/tasks", payload: { input: "   " } },
      { method: "POST", url: "/api/tasks", payload: { input: "x", extra: 1 } },
      { method: "POST", url: "/api/tasks", payload: { input: 42 } },
      { method: "POST", url: "/api/tasks", payload: '{"input": ', headers: { "content-type": "application/json" } },
      { method: "POST", url: "/api/tasks", payload: { input: "x", agent: "../../etc" } },
      { method: "GET", url: "/api/tasks?limit=0" },
      { method: "GET", url: "/api/tasks?limit=abc" },
      { method: "GET", url: "/api/tasks?status=bogus" },
      { method: "GET", url: "/api/tasks?sort=input" },
      { method: "GET", url: "/api/tasks?cursor=bm90LWEtY3Vyc29y" },
      { method: "POST", url: "/api/approvals/abc", payload: { decision: "maybe", hash: "0".repeat(64) } },
      { method: "POST", url: "/api/approvals/abc", payload: { decision: "approve" } },
    ];
    for (const request of bad) {
      const res = await api({ ...request, headers: { ...bearer(), ...(request.headers ?? {}) } });
      expect(res.statusCode, JSON.stringify(request)).toBe(400);
      const body = res.json();
      expect(body.error.code, JSON.stringify(request)).toBe("E_USAGE");
      expect(body.error.message.length).toBeGreaterThan(5);
      expect(body.error.hint).toBeTruthy();
    }
    const unknownAgent = await api({
      method: "POST",
      url: "/api/tasks",
      headers: bearer(),
      payload: { input: "x", agent: "nobody" },
    });
    expect(unknownAgent.statusCode).toBeLessThan(500);
    const missing = await api({ method: "GET", url: "/api/tasks/0000000000000", headers: bearer() });
    expect(missing.statusCode).toBe(404);
  });

  it("binds to loopback by default", async () => {
    const config = loadConfig({ HOB_HOME: home, OLLAMA_HOST: "http://127.0.0.1:47" });
    const local = createWebServer({ config, store, orchestrator, bus, token, port: 0 });
    try {
      const { host, port, url } = await local.listen();
      expect(host).toBe("127.0.0.1");
      expect(local.app.server.address()).toMatchObject({ address: "127.0.0.1", port });
      expect(url).toBe(`http://127.0.0.1:${port}/`);
      const res = await fetch(`${url}api/health`);
      expect(await res.json()).toEqual({ ok: true });
      // The bound port is the one the Host allowlist expects.
      const rebound = await local.app.inject({
        method: "GET",
        url: "/api/health",
        headers: { host: `127.0.0.1:${port}` },
      });
      expect(rebound.statusCode).toBe(200);
    } finally {
      await local.close();
    }
  });
});

describe("web routes", () => {
  it("lists tasks newest first in pages (keyset cursor), as `hob history --json` prints them", async () => {
    anthropic.setDefault(() => ({ kind: "text", text: "ok" }));
    for (let i = 0; i < 30; i++) await orchestrator.run({ input: `task ${i}`, agent: "general", tier: "fast" });
    const expected = store.tasks.list({ limit: 100 }).map(toTaskJson);
    expect(expected).toHaveLength(30);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api({
        method: "GET",
        url: `/api/tasks?limit=7${cursor ? `&cursor=${cursor}` : ""}`,
        headers: bearer(),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: unknown[]; next: string | null };
      seen.push(...body.items);
      cursor = body.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(expected);
    const filtered = await api({ method: "GET", url: "/api/tasks?status=failed", headers: bearer() });
    expect(filtered.json()).toEqual({ items: [], next: null });
    const exact = await api({ method: "GET", url: "/api/tasks?limit=30", headers: bearer() });
    expect(exact.json().next).toBeNull();
  });

  it("shows a task's detail as `hob show --json` does", async () => {
    anthropic.enqueue(tool("write_file", { path: "fresh.txt", content: "new" }), { kind: "text", text: "Done." });
    const result = await orchestrator.run({ input: "make a file", agent: "code", tier: "fast" });
    const res = await api({ method: "GET", url: `/api/tasks/${result.id}`, headers: bearer() });
    expect(res.statusCode).toBe(200);
    const task = store.tasks.getWithUsage(result.id);
    expect(res.json()).toEqual(
      JSON.parse(
        JSON.stringify(toTaskDetailJson(task, store.modelCalls.forTask(task.id), store.steps.forTask(task.id))),
      ),
    );
    expect(res.json().steps.length).toBeGreaterThan(0);
  });

  it("POST /api/tasks returns the id at once and the task runs in the background", async () => {
    anthropic.enqueue({ kind: "text", text: "slow answer", chunks: 5, chunkDelayMs: 100 });
    const res = await api({
      method: "POST",
      url: "/api/tasks",
      headers: bearer(),
      payload: { input: "say something", agent: "general", tier: "fast" },
    });
    expect(res.statusCode).toBe(202);
    const { id } = res.json() as { id: string };
    expect(id).toMatch(/^[a-z0-9]+$/);
    expect(heard.some((e) => e.task_id === id && e.type === "task-finished")).toBe(false);
    const end = await finished(id);
    expect(end.type).toBe("task-finished");
    expect(store.tasks.get(id)).toMatchObject({ status: "succeeded", output: "slow answer" });
  });

  it("approves a paused tool call with the hash it was shown: the task resumes and the file changes; a wrong hash is 409", async () => {
    anthropic.enqueue(tool("write_file", { path: "todo.txt", content: "call mum\ncall dad\n" }));
    const paused = await orchestrator.run({ input: "add dad to my todo", agent: "code", tier: "fast" });
    expect(paused.status).toBe("awaiting_approval");
    const list = await api({ method: "GET", url: "/api/approvals", headers: bearer() });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(1);
    const approval = items[0] as { id: string; hash: string; diff: string };
    expect(approval).toMatchObject({ id: paused.approval?.id, kind: "tool", task_id: paused.id });
    expect(approval.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(approval.diff).toContain("+call dad");
    expect(Object.keys(approval)).toEqual(
      expect.arrayContaining([
        "id",
        "kind",
        "summary",
        "diff",
        "hash",
        "reason",
        "task_id",
        "created_at",
        "expires_at",
      ]),
    );

    const wrong = await api({
      method: "POST",
      url: `/api/approvals/${approval.id}`,
      headers: bearer(),
      payload: { decision: "approve", hash: "f".repeat(64) },
    });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ error: { code: "E_APPROVAL" } });
    expect(store.approvals.get(approval.id).status).toBe("pending");

    anthropic.enqueue({ kind: "text", text: "Added dad." });
    const ok = await api({
      method: "POST",
      url: `/api/approvals/${approval.id}`,
      headers: bearer(),
      payload: { decision: "approve", hash: approval.hash },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: approval.id, kind: "tool", status: "approved", task_id: paused.id });
    await until("the resumed task to finish", () =>
      heard.find((e) => e.task_id === paused.id && e.type === "task-finished"),
    );
    expect(readFileSync(join(home, "workspace", "todo.txt"), "utf8")).toBe("call mum\ncall dad\n");
    expect(store.approvals.get(approval.id)).toMatchObject({ status: "used", decidedBy: "web" });
    expect((await api({ method: "GET", url: "/api/approvals", headers: bearer() })).json()).toEqual({ items: [] });
    // Deciding again: it is no longer pending.
    const again = await api({
      method: "POST",
      url: `/api/approvals/${approval.id}`,
      headers: bearer(),
      payload: { decision: "deny", hash: approval.hash },
    });
    expect(again.statusCode).toBe(409);
  });

  it("denies a paused tool call: the file stays as it was", async () => {
    anthropic.enqueue(tool("delete_file", { path: "todo.txt" }));
    const paused = await orchestrator.run({ input: "delete my todo", agent: "code", tier: "fast" });
    const [approval] = (await api({ method: "GET", url: "/api/approvals", headers: bearer() })).json().items;
    anthropic.enqueue({ kind: "text", text: "Left it alone." });
    const res = await api({
      method: "POST",
      url: `/api/approvals/${approval.id}`,
      headers: bearer(),
      payload: { decision: "deny", hash: approval.hash },
    });
    expect(res.json()).toMatchObject({ status: "denied" });
    await until("the task to end", () =>
      heard.find((e) => e.task_id === paused.id && (e.type === "task-finished" || e.type === "task-failed")),
    );
    expect(readFileSync(join(home, "workspace", "todo.txt"), "utf8")).toBe("call mum\n");
    expect(store.approvals.get(approval.id).decidedBy).toBe("web");
  });

  it("approves a proposal through /api/approvals with its hash, lists and shows it, and rolls it back; a wrong hash is 409", async () => {
    const id = await pendingRoutingProposal(store, env, {
      key: "web",
      complexity: "complex",
      agent: "general",
      tier: "local",
    });
    const pending = (await api({ method: "GET", url: "/api/approvals", headers: bearer() })).json().items as Array<{
      id: string;
      kind: string;
      hash: string;
      proposal_id?: string;
    }>;
    const approval = pending.find((a) => a.proposal_id === id);
    expect(approval).toMatchObject({ kind: "proposal" });
    if (!approval) throw new Error("no approval for the proposal");

    const wrong = await api({
      method: "POST",
      url: `/api/approvals/${approval.id}`,
      headers: bearer(),
      payload: { decision: "approve", hash: "0".repeat(64) },
    });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ error: { code: "E_APPROVAL" } });
    expect(store.proposals.get(id).status).toBe("pending");

    const ok = await api({
      method: "POST",
      url: `/api/approvals/${approval.id}`,
      headers: bearer(),
      payload: { decision: "approve", hash: approval.hash },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: approval.id, kind: "proposal", proposal: { id, status: "applied" } });
    const applied = store.proposals.get(id);
    expect(applied.commitSha).toMatch(/^[0-9a-f]{40}$/);

    const list = await api({ method: "GET", url: "/api/proposals?status=applied&limit=10", headers: bearer() });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ items: [toProposalJson(applied)] });
    const none = await api({ method: "GET", url: "/api/proposals?status=pending", headers: bearer() });
    expect(none.json()).toEqual({ items: [] });
    const detail = await api({ method: "GET", url: `/api/proposals/${id}`, headers: bearer() });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toEqual(toProposalDetailJson(applied));
    const prefix = await api({ method: "GET", url: `/api/proposals/${id.slice(0, 8)}`, headers: bearer() });
    expect(prefix.statusCode).toBe(404);
    const badStatus = await api({ method: "GET", url: "/api/proposals?status=done", headers: bearer() });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json()).toMatchObject({ error: { code: "E_USAGE" } });

    const rollback = await api({ method: "POST", url: `/api/proposals/${id}/rollback`, headers: bearer() });
    expect(rollback.statusCode).toBe(200);
    const rolledBack = store.proposals.get(id);
    expect(rolledBack.status).toBe("rolled_back");
    expect(rollback.json()).toEqual({ id, status: "rolled_back", commit: rolledBack.revertSha });
    expect(rolledBack.revertSha).toMatch(/^[0-9a-f]{40}$/);
    // Rolling back twice: it is no longer applied.
    const again = await api({ method: "POST", url: `/api/proposals/${id}/rollback`, headers: bearer() });
    expect(again.statusCode).toBe(409);
  });

  it("GET /api/config is `hob config show --json` with no secret: the Anthropic key never appears", async () => {
    const res = await api({ method: "GET", url: "/api/config", headers: bearer() });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(API_KEY);
    expect(res.body).not.toContain(API_KEY.slice(-8));
    expect(res.json()).toEqual((await runCli(["config", "show", "--json"], { env })).json());
    expect(res.json()).toMatchObject({
      config: { anthropic: { api_key: "(set)" } },
      sources: { api_key: expect.any(String) },
      router: { models: expect.any(Array) },
    });
  });

  it("GET /api/stats is `hob stats --json` for the window; a bad window is 400", async () => {
    anthropic.enqueue({ kind: "text", text: "Hello." });
    await orchestrator.run({ input: "say hello", agent: "general", tier: "fast" });
    const res = await api({ method: "GET", url: "/api/stats?since=7d", headers: bearer() });
    expect(res.statusCode).toBe(200);
    const stats = res.json();
    expect(stats).toMatchObject({ tasks: { total: 1 }, totals: { calls: 1 } });
    const cli = (await runCli(["stats", "--json", "--since", "7d"], { env })).json() as Record<string, unknown>;
    expect({ ...stats, since: null }).toEqual({ ...cli, since: null }); // the window starts a moment apart
    expect((await api({ method: "GET", url: "/api/stats", headers: bearer() })).json()).toMatchObject({
      since: null,
      tasks: { total: 1 },
    });
    const bad = await api({ method: "GET", url: "/api/stats?since=last%20tuesday", headers: bearer() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: "E_USAGE" } });
  });

  it("GET /api/skills lists the skills as `hob skills list --json` prints them", async () => {
    const empty = await api({ method: "GET", url: "/api/skills", headers: bearer() });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ items: [] });
    const broken = join(home, "skills", "broken");
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, "SKILL.md"), "no front matter\n");
    const res = await api({ method: "GET", url: "/api/skills", headers: bearer() });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([expect.objectContaining({ name: "broken", status: "invalid" })]);
    expect(res.json().items).toEqual((await runCli(["skills", "list", "--json"], { env })).json());
  });
});

describe("web events (WebSocket)", () => {
  const collect = (ws: WebSocket) => {
    const messages: Array<Record<string, unknown>> = [];
    ws.on("message", (data: unknown) => messages.push(JSON.parse(String(data))));
    return messages;
  };

  it("streams every bus event as JSON, and replays what a client missed on resume", async () => {
    const ws = await server.app.injectWS("/api/events", { headers: { host: HOST, ...bearer() } });
    const live = collect(ws);
    anthropic.enqueue({ kind: "text", text: "streamed words here", chunks: 3 });
    const created = await api({
      method: "POST",
      url: "/api/tasks",
      headers: bearer(),
      payload: { input: "stream please", agent: "general", tier: "fast" },
    });
    const { id } = created.json() as { id: string };
    await until("task-finished on the socket", () => live.find((m) => m.task_id === id && m.type === "task-finished"));
    const ofTask = live.filter((m) => m.task_id === id);
    expect(ofTask.map((m) => m.seq)).toEqual(heard.filter((e) => e.task_id === id).map((e) => e.seq));
    expect(ofTask[0]).toMatchObject({ type: "task-created", seq: 1, input: "stream please" });
    expect(
      ofTask
        .filter((m) => m.type === "text-delta")
        .map((m) => m.text)
        .join(""),
    ).toBe("streamed words here");
    ws.terminate();

    // A client that reconnects after seq 2 gets exactly what came later, then live events.
    const again = await server.app.injectWS("/api/events", { headers: { host: HOST, ...bearer() } });
    const replayed = collect(again);
    again.send(JSON.stringify({ resume: { task_id: id, after_seq: 2 } }));
    const total = ofTask.length;
    await until("the replay", () => replayed.length >= total - 2);
    expect(replayed.map((m) => m.seq)).toEqual(ofTask.slice(2).map((m) => m.seq));

    again.send("not json");
    again.send(JSON.stringify({ resume: { task_id: id } }));
    await until("two errors", () => replayed.filter((m) => m.error).length === 2);
    expect(replayed.at(-1)).toMatchObject({ error: { code: "E_USAGE" } });
    again.terminate();
  });

  it("closes a socket whose token was rotated", async () => {
    const ws = await server.app.injectWS("/api/events", { headers: { host: HOST, ...bearer() } });
    const closed = new Promise<number>((resolve) => ws.on("close", (code: number) => resolve(code)));
    rotateToken(home);
    anthropic.enqueue({ kind: "text", text: "hi" });
    await orchestrator.run({ input: "hello", agent: "general", tier: "fast" });
    expect(await closed).toBe(4401);
  });
});

describe("web dashboard routes", () => {
  it("chat sessions: start one, continue it with its turns as context, list and read it", async () => {
    const created = await api({ method: "POST", url: "/api/sessions", headers: bearer() });
    expect(created.statusCode).toBe(201);
    const { id: sessionId } = created.json() as { id: string };
    anthropic.enqueue({ kind: "text", text: "Canberra." });
    const first = await api({
      method: "POST",
      url: "/api/tasks",
      headers: bearer(),
      payload: { input: "capital of Australia?", agent: "general", tier: "fast", session_id: sessionId },
    });
    await finished(first.json().id);
    anthropic.enqueue({ kind: "text", text: "About 460,000." });
    const second = await api({
      method: "POST",
      url: "/api/tasks",
      headers: bearer(),
      payload: { input: "and its population?", agent: "general", tier: "fast", session_id: sessionId },
    });
    await finished(second.json().id);
    // The second turn went to the model with the first one before it.
    const sent = JSON.stringify(anthropic.messageRequests.at(-1)?.body.messages);
    expect(sent).toContain("capital of Australia?");
    expect(sent).toContain("Canberra.");
    expect(sent.indexOf("Canberra.")).toBeLessThan(sent.indexOf("and its population?"));

    const list = (await api({ method: "GET", url: "/api/sessions", headers: bearer() })).json();
    expect(list.items[0]).toMatchObject({ id: sessionId, turns: 2, title: "capital of Australia?" });
    const detail = (await api({ method: "GET", url: `/api/sessions/${sessionId}`, headers: bearer() })).json();
    expect(detail.turns.map((t: { input: string; output: string }) => [t.input, t.output])).toEqual([
      ["capital of Australia?", "Canberra."],
      ["and its population?", "About 460,000."],
    ]);
    const unknown = await api({
      method: "POST",
      url: "/api/tasks",
      headers: bearer(),
      payload: { input: "x", session_id: "nosuchsession" },
    });
    expect(unknown.statusCode).toBe(404);
    expect((await api({ method: "GET", url: "/api/sessions/nosuch", headers: bearer() })).statusCode).toBe(404);
    expect(anthropic.messageRequests).toHaveLength(2);
  });

  it("stats series: every bucket present, tasks and cost where they happened", async () => {
    // Three tasks in one bucket: the bucket sums them (not the last one alone).
    for (const text of ["one", "two", "three"]) {
      anthropic.enqueue({ kind: "text", text });
      await orchestrator.run({ input: `count me ${text}`, agent: "general", tier: "fast" });
    }
    const totals = (await api({ method: "GET", url: "/api/stats?since=7d", headers: bearer() })).json();
    const res = await api({ method: "GET", url: "/api/stats/series?since=7d&bucket=day", headers: bearer() });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { bucket: string; items: Array<{ start: string; tasks: number; cost_usd: number }> };
    expect(body.bucket).toBe("day");
    expect(body.items.length).toBeGreaterThanOrEqual(7);
    expect(body.items.length).toBeLessThanOrEqual(9);
    const today = body.items.at(-1);
    expect(today).toMatchObject({ tasks: 3, succeeded: 3, cloud_calls: 3 });
    expect(today?.cost_usd).toBeCloseTo(totals.totals.cost_usd, 9);
    expect(today?.cost_usd).toBeGreaterThan(0);
    expect(body.items.slice(0, -1).every((p) => p.tasks === 0)).toBe(true);
    const hours = (
      await api({ method: "GET", url: "/api/stats/series?since=all&bucket=hour", headers: bearer() })
    ).json();
    expect(hours.items).toHaveLength(400); // capped, not a year of hours
    const bad = await api({ method: "GET", url: "/api/stats/series?bucket=minute", headers: bearer() });
    expect(bad.statusCode).toBe(400);
    expect((await api({ method: "GET", url: "/api/stats/series" })).statusCode).toBe(401);
  });

  it("a skill's success rate per version and day: a drop after a new version shows", async () => {
    const day = 86_400_000;
    const start = Date.now() - 10 * day;
    for (let i = 0; i < 10; i++) {
      const version = i < 5 ? "1.0.0" : "1.1.0";
      for (let run = 0; run < 4; run++) {
        store.skills.recordRun({
          skill: "word-count",
          version,
          taskId: null,
          at: start + i * day + run * 1000,
          ok: i < 5 || run === 0,
          exitCode: 0,
          durationMs: 10,
          error: null,
        });
      }
    }
    const res = await api({ method: "GET", url: "/api/skills/word-count/series?since=30d", headers: bearer() });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{ version: string; runs: number; success_rate: number }>;
    expect(items).toHaveLength(10);
    expect(items.filter((p) => p.version === "1.0.0").every((p) => p.runs === 4 && p.success_rate === 1)).toBe(true);
    expect(items.filter((p) => p.version === "1.1.0").every((p) => p.success_rate === 0.25)).toBe(true);
    const bad = await api({ method: "GET", url: "/api/skills/..%2Fetc/series", headers: bearer() });
    expect(bad.statusCode).toBe(400);
  });

  it("memory: remember, search with signals, what a task recalled, forget; all behind the token", async () => {
    for (const [method, url] of [
      ["GET", "/api/memory/search?q=x"],
      ["POST", "/api/memory"],
      ["DELETE", "/api/memory/abc"],
      ["GET", "/api/tasks/abc/recalled"],
    ] as const) {
      expect((await api({ method, url })).statusCode, url).toBe(401);
    }
    const added = await api({
      method: "POST",
      url: "/api/memory",
      headers: bearer(),
      payload: { text: "The boiler service is booked for 3 December", metadata: { topic: "home" } },
    });
    expect(added.statusCode).toBe(201);
    const { id } = added.json() as { id: string };
    const found = (
      await api({ method: "GET", url: "/api/memory/search?q=when%20is%20the%20boiler%20service", headers: bearer() })
    ).json();
    expect(found.mode).toBe("hybrid");
    const listed = (await api({ method: "GET", url: "/api/memory?kind=fact", headers: bearer() })).json();
    expect(listed.items[0]).toMatchObject({ id, kind: "fact", embedder: "builtin/hash-384" });
    expect(found.items[0]).toMatchObject({ id, kind: "fact", metadata: { topic: "home" }, signals: { fts_rank: 1 } });

    anthropic.enqueue({ kind: "text", text: "On 3 December." });
    const task = await orchestrator.run({
      input: "when is the boiler service booked?",
      agent: "general",
      tier: "fast",
    });
    const recalled = (await api({ method: "GET", url: `/api/tasks/${task.id}/recalled`, headers: bearer() })).json();
    expect(recalled.items).toContainEqual(
      expect.objectContaining({ id, section: "facts", text: "The boiler service is booked for 3 December" }),
    );

    expect((await api({ method: "DELETE", url: `/api/memory/${id}`, headers: bearer() })).json()).toEqual({
      forgotten: 1,
    });
    const after = (
      await api({ method: "GET", url: "/api/memory/search?q=boiler%20service", headers: bearer() })
    ).json();
    expect(after.items.map((i: { id: string }) => i.id)).not.toContain(id);
    // The task still says a memory was recalled, and that it is gone now (not invented).
    const later = (await api({ method: "GET", url: `/api/tasks/${task.id}/recalled`, headers: bearer() })).json();
    expect(later.items).toContainEqual({
      id,
      section: "facts",
      kind: null,
      text: null,
      created_at: null,
      task_id: null,
      success: null,
    });
    expect((await api({ method: "DELETE", url: `/api/memory/${id}`, headers: bearer() })).statusCode).toBe(404);
    expect((await api({ method: "GET", url: "/api/memory/search?q=", headers: bearer() })).statusCode).toBe(400);
  });

  it("serves the OpenAPI document at /docs/json, made from the routes' schemas, under the same headers", async () => {
    const res = await api({ method: "GET", url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    for (const path of ["/api/tasks", "/api/tasks/{id}", "/api/approvals/{id}", "/api/stats/series", "/api/sessions"]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(JSON.stringify(doc.paths["/api/approvals/{id}"])).toContain('"hash"');
    expect(Object.keys(doc.paths)).not.toContain("/assets/{name}");
    const ui = await api({ method: "GET", url: "/docs/" });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers["content-security-policy"]).toMatch(/^default-src 'self'; script-src 'self';/);
    expect(ui.body).not.toMatch(/<script>(?!\s*<\/script>)/);
    expect((await api({ method: "GET", url: "/docs/json", headers: { host: "evil.example:8000" } })).statusCode).toBe(
      421,
    );
  });

  it("serves the built page and its assets, and nothing else from disk", async () => {
    const ui = join(home, "ui");
    mkdirSync(join(ui, "assets"), { recursive: true });
    writeFileSync(join(ui, "index.html"), "<!doctype html><title>hob</title>");
    writeFileSync(join(ui, "assets", "app.js"), "export {};");
    writeFileSync(join(home, "secret.txt"), "do not serve");
    const config = loadConfig(env);
    const page = createWebServer({ config, store, orchestrator, bus, token, port: 8000, uiDir: ui });
    try {
      const get = (url: string) => page.app.inject({ method: "GET", url, headers: { host: HOST } });
      const index = await get("/");
      expect(index.statusCode).toBe(200);
      expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(index.headers["content-security-policy"]).toContain("script-src 'self'");
      expect(index.headers["x-frame-options"]).toBe("DENY");
      const js = await get("/assets/app.js");
      expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
      for (const url of [
        "/assets/..%2Fsecret.txt",
        "/assets/../secret.txt",
        "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/assets/.env",
        "/assets/index.html",
        "/secret.txt",
        "/ui/index.html",
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
        expect(res.body, url).not.toContain("do not serve");
      }
    } finally {
      await page.close();
    }
    const unbuilt = createWebServer({ config, store, orchestrator, bus, token, port: 8000, uiDir: join(home, "none") });
    try {
      const res = await unbuilt.app.inject({ method: "GET", url: "/", headers: { host: HOST } });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.hint).toContain("npm run build");
    } finally {
      await unbuilt.close();
    }
  });

  it("answers 429 to wrong tokens after 20 failed log-ins in a minute; the right token always logs in", async () => {
    let clock = Date.now();
    const config = loadConfig(env);
    const limited = createWebServer({ config, store, orchestrator, bus, token, port: 8000, now: () => clock });
    try {
      const attempt = (value: string) =>
        limited.app.inject({
          method: "POST",
          url: "/api/session",
          headers: { host: HOST, origin: ORIGIN },
          payload: { token: value },
        });
      for (let i = 0; i < 20; i++) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);
      const blocked = await attempt("guess-21");
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
      expect((await attempt(token)).statusCode).toBe(200);
      clock += 61_000;
      expect((await attempt("guess-22")).statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });
});
