/**
 * `hob serve` and `hob improve status`: the scheduler in-process with a fake analysis,
 * the built binary as a real long-running process (SIGTERM, locks, log), the systemd
 * unit of `--install`, and the status JSON.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServe, systemdUnit, unitPath } from "../src/cli/commands/serve.js";
import { HobError } from "../src/errors/index.js";
import { acquireImproveLock, isHeld, MemoryLogger } from "../src/improve/scheduler/index.js";
import { Store } from "../src/store/index.js";
import { HOB_BIN, REPO_ROOT, runCli, spawnHob, tempHome, testEnv, until, writeHobConfig } from "./helpers.js";

const PER_SECOND = 'improve:\n  schedule: "* * * * * *"\n';

let home: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  ({ home, cleanup } = tempHome());
  env = testEnv(home);
});
afterEach(() => cleanup());

const logLines = (path: string) =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .trimEnd()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { message: string; trigger?: string; level: string })
    : [];

describe("startServe (in-process, fake analysis, per-second schedule)", () => {
  it("runs the analysis on the schedule, refuses a second scheduler, and frees everything on stop", async () => {
    const triggers: string[] = [];
    const log = new MemoryLogger();
    const handle = startServe({
      home,
      schedule: "* * * * * *",
      lastRunAt: () => Date.now(), // nothing missed
      log,
      runImprovement: async (trigger) => {
        triggers.push(trigger);
      },
    });
    expect(handle.catchUp).toBeUndefined();
    expect(existsSync(join(home, "serve.lock"))).toBe(true);
    expect(handle.nextRun()).toBeInstanceOf(Date);

    let second: unknown;
    try {
      startServe({ home, schedule: "* * * * * *", lastRunAt: () => undefined, runImprovement: async () => {} });
    } catch (error) {
      second = error;
    }
    expect(second).toBeInstanceOf(HobError);
    expect((second as HobError).code).toBe("E_CONFLICT");

    await until("two scheduled runs", () => triggers.length >= 2);
    expect(new Set(triggers)).toEqual(new Set(["schedule"]));
    expect(await handle.stop("test")).toBe(true);
    expect(existsSync(join(home, "serve.lock"))).toBe(false);
    expect(existsSync(join(home, "improve.lock"))).toBe(false);
    expect(log.messages()).toContain("hob serve stopped");
  });

  it("catches up a missed run at start with trigger missed", async () => {
    const triggers: string[] = [];
    const handle = startServe({
      home,
      schedule: "0 */6 * * *",
      lastRunAt: () => Date.now() - 7 * 3_600_000,
      log: new MemoryLogger(),
      runImprovement: async (trigger) => {
        triggers.push(trigger);
      },
    });
    expect(await handle.catchUp).toBe("succeeded");
    expect(triggers).toEqual(["missed"]);
    await handle.stop();
  });

  it("stop() aborts a running analysis and releases the analysis lock", async () => {
    let aborted = false;
    const handle = startServe({
      home,
      schedule: "0 0 1 1 *",
      lastRunAt: () => undefined, // never ran: runs now
      log: new MemoryLogger(),
      runImprovement: (_trigger, signal) =>
        new Promise((resolve) =>
          signal.addEventListener("abort", () => {
            aborted = true;
            resolve(undefined);
          }),
        ),
    });
    await until("the analysis holds the lock", () => existsSync(join(home, "improve.lock")));
    // Meanwhile `hob improve run` in another terminal would be refused.
    expect(isHeld(acquireImproveLock(home, { pid: process.pid + 1, isAlive: () => true }))).toBe(false);
    expect(await handle.stop("SIGTERM")).toBe(true);
    expect(aborted).toBe(true);
    expect(existsSync(join(home, "improve.lock"))).toBe(false);
    expect(existsSync(join(home, "serve.lock"))).toBe(false);
  });
});

describe("hob serve in-process (Ctrl-C)", () => {
  it("prints the start line, runs, and stops cleanly on Ctrl-C", async () => {
    writeHobConfig(home, PER_SECOND);
    // Pressed until it is heard: the web server's start-up decides when the handler is in place.
    let presses: NodeJS.Timeout | undefined;
    const run = await runCli(["serve", "--port", "0"], {
      env,
      interrupt: (press) => {
        presses = setInterval(press, 1_500);
      },
    });
    clearInterval(presses);
    expect(run.code).toBe(0);
    const [start, login, stop] = run.stdout.trimEnd().split("\n");
    expect(login).toMatch(
      /^hob serve: dashboard ready; log in with http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/,
    );
    expect(start).toContain(`hob serve: running (pid ${process.pid}); schedule "* * * * * *"`);
    expect(start).toContain("a missed analysis runs now");
    expect(start).toContain(`log ${join(home, "logs", "serve.log")}`);
    expect(stop).toBe("hob serve: stopped (SIGINT).");
    const messages = logLines(join(home, "logs", "serve.log")).map((line) => line.message);
    expect(messages).toContain("analysis finished");
    // The real analysis ran (on an empty history): its progress is in the log.
    expect(messages).toContain("Analysing the history…");
    expect(messages.at(-1)).toBe("hob serve stopped");
    expect(existsSync(join(home, "serve.lock"))).toBe(false);
  });
});

describe("hob serve as a process (built binary)", () => {
  function startHobServe(extraEnv: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, [HOB_BIN, "serve", "--json", "--port", "0"], {
      env: { ...env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal })),
    );
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  }

  let running: ChildProcess | undefined;
  afterEach(() => {
    if (running && running.exitCode === null && running.signalCode === null) running.kill("SIGKILL");
    running = undefined;
  });

  it("runs on a per-second schedule, shows in status, and exits 0 on SIGTERM with its locks gone", async () => {
    writeHobConfig(home, PER_SECOND);
    const serve = startHobServe();
    running = serve.child;
    const started = await until("the start line", () => serve.stdout().split("\n")[0]?.endsWith("}") && serve.stdout());
    const event = JSON.parse(started.split("\n")[0] as string);
    expect(event).toMatchObject({ event: "started", pid: serve.child.pid, schedule: "* * * * * *", catch_up: true });
    expect(event.log).toBe(join(home, "logs", "serve.log"));
    expect(typeof event.next_run_at).toBe("string");

    const logPath = join(home, "logs", "serve.log");
    await until("a scheduled slot in the log", () =>
      logLines(logPath).some((line) => line.message === "analysis finished" && line.trigger === "schedule"),
    );
    expect(existsSync(join(home, "serve.lock"))).toBe(true);

    // A second scheduler on the same HOB_HOME is refused.
    const second = await spawnHob(["serve", "--json"], env);
    expect(second.code).toBe(1);
    expect(second.json()).toMatchObject({ error: { code: "E_CONFLICT" } });

    // Status sees it.
    const status = await spawnHob(["improve", "status", "--json"], env);
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({ serve: { running: true, pid: serve.child.pid } });

    serve.child.kill("SIGTERM");
    const { code, signal } = await serve.exited;
    expect({ code, signal, stderr: serve.stderr() }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(JSON.parse(serve.stdout().trimEnd().split("\n").at(-1) as string)).toMatchObject({
      event: "stopped",
      reason: "SIGTERM",
      clean: true,
    });
    expect(existsSync(join(home, "serve.lock"))).toBe(false);
    expect(existsSync(join(home, "improve.lock"))).toBe(false);
    const messages = logLines(logPath).map((line) => line.message);
    expect(messages[0]).toBe("hob serve started");
    expect(messages.at(-1)).toBe("hob serve stopped");
    // Each run is the real analysis, recorded as an improvement run.
    expect(messages).toContain("Analysing the history…");
  });

  it("exits 0 on SIGINT too", async () => {
    writeHobConfig(home, 'improve:\n  schedule: "0 0 1 1 *"\n');
    const serve = startHobServe();
    running = serve.child;
    await until("the start line", () => serve.stdout().includes('"started"'));
    serve.child.kill("SIGINT");
    expect((await serve.exited).code).toBe(0);
    expect(existsSync(join(home, "serve.lock"))).toBe(false);
  });

  it("takes over the serve lock of a scheduler that was killed", async () => {
    writeHobConfig(home, 'improve:\n  schedule: "0 0 1 1 *"\n');
    const first = startHobServe();
    running = first.child;
    await until("the first start line", () => first.stdout().includes('"started"'));
    first.child.kill("SIGKILL");
    await first.exited;
    expect(existsSync(join(home, "serve.lock"))).toBe(true); // left behind by the crash
    const status = await spawnHob(["improve", "status", "--json"], env);
    expect(status.json()).toMatchObject({ serve: { running: false } });
    const second = startHobServe();
    running = second.child;
    await until("the second start line", () => second.stdout().includes('"started"'));
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
    expect(existsSync(join(home, "serve.lock"))).toBe(false);
  });

  it("runs the web server alone when improve.enabled is false, and says so", async () => {
    writeHobConfig(home, "improve:\n  enabled: false\n");
    const serve = startHobServe();
    running = serve.child;
    const line = await until("the start line", () => serve.stdout().split("\n")[0]?.endsWith("}") && serve.stdout());
    expect(JSON.parse(line.split("\n")[0] as string)).toMatchObject({ event: "started", enabled: false });
    expect(existsSync(join(home, "serve.lock"))).toBe(true);
    serve.child.kill("SIGTERM");
    expect((await serve.exited).code).toBe(0);
    expect(existsSync(join(home, "serve.lock"))).toBe(false);
  });

  it("serves the web API: prints the login link once ready, answers /api/health, keeps the token out of the log, exits 0 on SIGTERM", async () => {
    writeHobConfig(home, 'improve:\n  schedule: "0 0 1 1 *"\n');
    const child = spawn(process.execPath, [HOB_BIN, "serve", "--port", "0"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running = child;
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const match = await until("the login line", () =>
      /log in with http:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]+)\n/.exec(stdout),
    );
    const [, port, token] = match as unknown as [string, string, string];
    const token2 = await spawnHob(["serve", "token"], env);
    expect(token2.stdout).toBe(`${token}\n`);
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect((await fetch(`http://127.0.0.1:${port}/api/tasks`)).status).toBe(401);
    const tasks = await fetch(`http://127.0.0.1:${port}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(tasks.status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(readFileSync(join(home, "logs", "serve.log"), "utf8")).not.toContain(token);
    expect(readFileSync(join(home, "logs", "serve.log"), "utf8")).toContain("web server listening");
  });

  it("under systemd (INVOCATION_ID set) prints the link without the token: the journal is readable by others", async () => {
    writeHobConfig(home, 'improve:\n  schedule: "0 0 1 1 *"\n');
    const child = spawn(process.execPath, [HOB_BIN, "serve", "--port", "0"], {
      env: { ...env, INVOCATION_ID: "0123456789abcdef" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running = child;
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await until("the ready line", () =>
      /dashboard ready; open http:\/\/127\.0\.0\.1:\d+\/#token=<the output of hob serve token>/.exec(stdout),
    );
    const token = (await spawnHob(["serve", "token"], env)).stdout.trim();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(token.length).toBeGreaterThan(20);
    expect(stdout).not.toContain(token);
  });

  it("rejects a bad schedule as a config error", async () => {
    writeHobConfig(home, 'improve:\n  schedule: "every six hours"\n');
    const run = await spawnHob(["serve", "--json"], env);
    expect(run.code).toBe(2);
    expect(run.json()).toMatchObject({ error: { code: "E_CONFIG" } });
    expect(existsSync(join(home, "serve.lock"))).toBe(false);
  });

  it("does not load croner (or the scheduler) for hob --help", async () => {
    // A resolve hook that fails the process if anything asks for croner.
    const hooks = join(home, "hooks.mjs");
    writeFileSync(
      hooks,
      'export async function resolve(s, c, next) { if (s === "croner") throw new Error("croner loaded"); return next(s, c); }\n',
    );
    const register = join(home, "register.mjs");
    writeFileSync(
      register,
      `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const run = (args: string[]) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ["--import", pathToFileURL(register).href, HOB_BIN, ...args], {
          env,
          stdio: "ignore",
        });
        child.on("close", resolve);
      });
    expect(await run(["--help"])).toBe(0);
    expect(await run(["serve", "--help"])).toBe(0);
    // The hook works: a command that needs croner fails under it.
    expect(await run(["improve", "status"])).not.toBe(0);
  });

  it("lets exactly one of many processes take over a stale analysis lock", async () => {
    // A stale lock: its process is gone.
    writeFileSync(
      join(home, "improve.lock"),
      JSON.stringify({ pid: 999_999_999, started_at: Date.now(), hostname: (await import("node:os")).hostname() }),
    );
    const lockModule = pathToFileURL(join(REPO_ROOT, "dist", "improve", "scheduler", "lock.js")).href;
    const script = `
      import { acquireImproveLock } from ${JSON.stringify(lockModule)};
      const start = Number(process.argv[1]);
      while (Date.now() < start) {}
      const lock = acquireImproveLock(process.env.HOB_HOME);
      process.stdout.write("release" in lock ? "won" : "lost");
      setTimeout(() => { if ("release" in lock) lock.release(); }, 1500);
    `;
    const start = Date.now() + 700;
    const outcomes = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ["--input-type=module", "-e", script, String(start)], { env });
            let out = "";
            child.stdout.on("data", (d) => {
              out += d;
            });
            child.on("close", () => resolve(out));
          }),
      ),
    );
    expect(outcomes.filter((o) => o === "won")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "lost")).toHaveLength(7);
    expect(existsSync(join(home, "improve.lock"))).toBe(false);
  });
});

describe("hob serve --install", () => {
  let xdg: string;
  beforeEach(() => {
    xdg = mkdtempSync(join(tmpdir(), "hob-xdg-"));
    env = { ...env, XDG_CONFIG_HOME: xdg };
  });
  afterEach(() => rmSync(xdg, { recursive: true, force: true }));

  it("writes a systemd user unit, leaves an identical one alone, and replaces a different one only with --force", async () => {
    const path = join(xdg, "systemd", "user", "hob.service");
    const run = await runCli(["serve", "--install"], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Wrote ${path}`);
    expect(run.stdout).toContain("systemctl --user daemon-reload && systemctl --user enable --now hob");
    const unit = readFileSync(path, "utf8");
    expect(unit).toContain(`ExecStart="${realpathSync(process.execPath)}" "${realpathSync(HOB_BIN)}" serve\n`);
    expect(unit).toContain(`Environment="HOB_HOME=${home}"\n`);
    expect(unit).toContain("Restart=on-failure\n");
    expect(unit).toContain("WantedBy=default.target\n");
    expect(unit).not.toMatch(/sk-|API_KEY=/);

    const again = await runCli(["serve", "--install", "--json"], { env });
    expect(again.json()).toMatchObject({ unit_path: path, written: false, replaced: false });

    writeFileSync(path, "[Service]\nExecStart=/usr/bin/something-else\n");
    const refused = await runCli(["serve", "--install", "--json"], { env });
    expect(refused.code).toBe(1);
    expect(refused.json()).toMatchObject({ error: { code: "E_CONFLICT" } });
    expect(readFileSync(path, "utf8")).toContain("something-else");

    const forced = await runCli(["serve", "--install", "--force", "--json"], { env });
    expect(forced.code).toBe(0);
    expect(forced.json()).toMatchObject({ written: true, replaced: true });
    expect(readFileSync(path, "utf8")).toBe(unit);
  });

  it("defaults to ~/.config without XDG_CONFIG_HOME, and escapes what systemd would expand", () => {
    expect(unitPath({ HOME: "/home/ann" })).toBe("/home/ann/.config/systemd/user/hob.service");
    expect(unitPath({ HOME: "/home/ann", XDG_CONFIG_HOME: "relative/ignored" })).toBe(
      "/home/ann/.config/systemd/user/hob.service",
    );
    const unit = systemdUnit({ node: "/opt/node 20/bin/node", bin: "/srv/hob$x/bin/hob.js", home: "/h/100%" });
    expect(unit).toContain('ExecStart="/opt/node 20/bin/node" "/srv/hob$$x/bin/hob.js" serve');
    expect(unit).toContain('Environment="HOB_HOME=/h/100%%"');
  });
});

describe("hob improve status", () => {
  it("shows the last runs, the next slot and whether serve runs (--json shape)", async () => {
    writeHobConfig(home, 'improve:\n  schedule: "0 9 * * *"\n  timezone: "Asia/Tokyo"\n');
    let clock = Date.parse("2026-03-01T00:00:00Z");
    const store = Store.open(join(home, "hob.db"), { now: () => clock });
    const first = store.improveRuns.start({ trigger: "schedule", since: null });
    clock += 60_000;
    store.improveRuns.finish(first.id, {
      status: "succeeded",
      findings: [{ a: 1 }, { b: 2 }],
      proposals: 1,
      costUsd: 0.02,
    });
    clock += 3_600_000;
    const second = store.improveRuns.start({ trigger: "missed", since: clock - 3_600_000 });
    store.improveRuns.finish(second.id, {
      status: "failed",
      findings: [],
      proposals: 0,
      costUsd: 0,
      error: "no model",
    });
    store.close();

    const run = await runCli(["improve", "status", "--json"], { env });
    expect(run.code).toBe(0);
    const status = run.json() as Record<string, unknown>;
    expect(Object.keys(status)).toEqual([
      "enabled",
      "last_run",
      "next_run_at",
      "schedule",
      "timezone",
      "serve",
      "analysis",
      "log",
      "runs",
    ]);
    expect(status).toMatchObject({
      enabled: true,
      schedule: "0 9 * * *",
      timezone: "Asia/Tokyo",
      serve: { running: false, pid: null },
      analysis: { running: false, pid: null },
      last_run: { id: second.id, trigger: "missed", status: "failed", error: "no model" },
    });
    // 09:00 in Tokyo is 00:00 UTC.
    expect(status.next_run_at).toMatch(/T00:00:00\.000Z$/);
    expect(status.runs).toEqual([
      {
        id: second.id,
        trigger: "missed",
        status: "failed",
        started_at: "2026-03-01T01:01:00.000Z",
        finished_at: "2026-03-01T01:01:00.000Z",
        findings: 0,
        proposals: 0,
        cost_usd: 0,
        error: "no model",
      },
      {
        id: first.id,
        trigger: "schedule",
        status: "succeeded",
        started_at: "2026-03-01T00:00:00.000Z",
        finished_at: "2026-03-01T00:01:00.000Z",
        findings: 2,
        proposals: 1,
        cost_usd: 0.02,
        error: null,
      },
    ]);

    const text = await runCli(["improve", "status"], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('schedule "0 9 * * *" (Asia/Tokyo)');
    expect(text.stdout).toContain("hob serve: not running");
    expect(text.stdout).toMatch(/2026-03-01 00:00\s+schedule\s+succeeded\s+2\s+1\s+\$0\.0200/);
    expect(text.stdout).toContain("Last error: no model");
  });

  it("says when nothing ran yet, and shows a running serve", async () => {
    const handle = startServe({
      home,
      schedule: "0 0 1 1 *",
      lastRunAt: () => Date.now(),
      log: new MemoryLogger(),
      runImprovement: async () => {},
    });
    try {
      const text = await runCli(["improve", "status"], { env });
      expect(text.stdout).toContain("No analysis has run yet.");
      expect(text.stdout).toContain(`hob serve: running (pid ${process.pid}`);
    } finally {
      await handle.stop();
    }
  });

  it("reports no next run when self-improvement is off", async () => {
    writeHobConfig(home, "improve:\n  enabled: false\n");
    mkdirSync(join(home, "logs"), { recursive: true });
    const run = await runCli(["improve", "status", "--json"], { env });
    expect(run.json()).toMatchObject({ enabled: false, next_run_at: null });
  });
});
