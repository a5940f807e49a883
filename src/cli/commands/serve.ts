import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LoadedConfig, loadConfig } from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import {
  acquireImproveLock,
  acquireServeLock,
  FileLogger,
  type HeldLock,
  type LockOptions,
  type Logger,
  nextSlot,
  type RunImprovement,
  type RunOutcome,
  type ScheduledTrigger,
  Scheduler,
  serveLogPath,
} from "../../improve/scheduler/index.js";
import type { Store } from "../../store/index.js";
import { openContext } from "../context.js";
import { formatTime } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

export interface ServeDeps {
  /** $HOB_HOME: where the locks and logs/serve.log live. */
  home: string;
  schedule: string;
  timezone?: string;
  runImprovement: RunImprovement;
  /** When the last analysis started (any trigger, any outcome), epoch ms. */
  lastRunAt: () => number | undefined;
  /** Default: the rotating `$HOB_HOME/logs/serve.log`. */
  log?: Logger;
  now?: () => number;
  stopTimeoutMs?: number;
  maxSleepMs?: number;
  lockOptions?: LockOptions;
}

export interface ServeHandle {
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly logPath: string;
  readonly lock: HeldLock;
  /** The missed run started at start-up, if there was one. */
  readonly catchUp: Promise<RunOutcome> | undefined;
  nextRun(): Date | null;
  /** Stops the scheduler (aborting a running analysis, bounded wait) and releases the serve lock. */
  stop(reason?: string): Promise<boolean>;
}

/**
 * Starts the scheduler of `hob serve` under the serve lock (one scheduler per HOB_HOME).
 * The CLI passes the real analysis; tests pass a fake.
 */
export function startServe(deps: ServeDeps): ServeHandle {
  const logPath = serveLogPath(deps.home);
  const log = deps.log ?? new FileLogger(logPath, deps.now ? { now: deps.now } : {});
  const attempt = acquireServeLock(deps.home, deps.lockOptions);
  if ("heldBy" in attempt) {
    throw new HobError(
      "E_CONFLICT",
      `hob serve is already running (pid ${attempt.heldBy.pid}, since ${formatTime(attempt.heldBy.started_at)}).`,
      {
        hint: "Stop it first (`systemctl --user stop hob`, or Ctrl-C in its terminal); `hob improve status` shows it.",
      },
    );
  }
  const lock = attempt;
  let scheduler: Scheduler;
  let catchUp: Promise<RunOutcome> | undefined;
  try {
    scheduler = new Scheduler({
      schedule: deps.schedule,
      ...(deps.timezone ? { timezone: deps.timezone } : {}),
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.stopTimeoutMs !== undefined ? { stopTimeoutMs: deps.stopTimeoutMs } : {}),
      ...(deps.maxSleepMs !== undefined ? { maxSleepMs: deps.maxSleepMs } : {}),
      runImprovement: deps.runImprovement,
      lastRunAt: deps.lastRunAt,
      log,
      lock: () => acquireImproveLock(deps.home, deps.lockOptions),
    });
    log.info("hob serve started", {
      pid: process.pid,
      schedule: deps.schedule,
      timezone: deps.timezone ?? machineTimeZone(),
    });
    catchUp = scheduler.start();
  } catch (error) {
    lock.release();
    throw error;
  }
  let stopping: Promise<boolean> | undefined;
  return {
    scheduler,
    log,
    logPath,
    lock,
    catchUp,
    nextRun: () => scheduler.nextRun(),
    stop(reason = "stopping") {
      stopping ??= (async () => {
        try {
          const clean = await scheduler.stop(reason);
          log.info("hob serve stopped", { reason, clean });
          return clean;
        } finally {
          lock.release();
        }
      })();
      return stopping;
    },
  };
}

export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * What the lead's analysis must export from `src/improve/index.ts` for `hob serve` to run it:
 * `runImprovement(options)`, which records its own `improve_runs` row with `trigger`, stops
 * (or checkpoints) when `signal` aborts, and resolves to the finished run record.
 */
export interface RunImprovementOptions {
  trigger: ScheduledTrigger;
  signal: AbortSignal;
  config: LoadedConfig;
  store: Store;
  log: Logger;
}

/** The analysis `hob serve` runs: `runImprovement` of the improve room, under the lock the scheduler holds. */
export async function defaultRunImprovement(context: {
  config: LoadedConfig;
  store: Store;
  log: Logger;
  /** Each run reads the configuration afresh: an approved proposal (routing.yaml, litellm.yaml) applies to the next. */
  env?: NodeJS.ProcessEnv;
}): Promise<RunImprovement> {
  const { runImprovement } = await import("../../improve/index.js");
  const { loadConfig } = await import("../../config/index.js");
  return async (trigger, signal) => {
    const report = await runImprovement({
      config: context.env ? loadConfig(context.env) : context.config,
      store: context.store,
      trigger,
      signal,
      lockHeld: true,
      progress: (message) => context.log.info(message, { trigger }),
    });
    return {
      id: report.run_id,
      status: "succeeded",
      findings: report.findings.length,
      proposals: report.proposals.length,
      costUsd: report.cost_usd,
    };
  };
}

interface ServeOptions {
  json: boolean;
  install: boolean;
  force: boolean;
  host?: string;
  port?: string;
}

/** The web server's address from --host/--port: loopback and 8000 by default. */
function webAddress(options: ServeOptions): { host: string; port: number } {
  const host = (options.host ?? "127.0.0.1").trim();
  if (!/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+|[A-Za-z0-9.-]+)$/.test(host) || host.length > 253) {
    throw new HobError("E_USAGE", `--host ${JSON.stringify(options.host)} is not a host name or address.`, {
      hint: "Use --host 127.0.0.1 (the default), localhost, or an address of this machine.",
    });
  }
  const raw = options.port ?? "8000";
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || !Number.isInteger(port) || port > 65_535) {
    throw new HobError("E_USAGE", `--port ${JSON.stringify(raw)} is not a port number.`, {
      hint: "Use a port from 1 to 65535 (default 8000), or 0 for any free port.",
    });
  }
  return { host: host.replace(/^\[|\]$/g, ""), port };
}

/** What stops together on SIGTERM: the web server, then the scheduler (or the bare lock). */
interface Running {
  stop(reason: string): Promise<boolean>;
}

/**
 * `hob serve`: the web API (and dashboard) on 127.0.0.1:8000 beside the self-improvement
 * scheduler, until SIGTERM/SIGINT/SIGHUP; `--install` writes the systemd user unit instead.
 */
export async function serveCommand(io: CliIO, options: ServeOptions): Promise<number> {
  if (options.install) return installCommand(io, options);
  const address = webAddress(options);
  const { config, store } = await openContext(io, options);
  const improve = config.config.improve;
  const say = (text: string, event: Record<string, unknown>) => {
    if (options.json) io.stdout.write(`${JSON.stringify(event)}\n`);
    else io.stdout.write(`${text}\n`);
  };
  try {
    const log = new FileLogger(serveLogPath(config.paths.home));
    let running: Running;
    let started: { text: string; event: Record<string, unknown> };
    if (!improve.enabled) {
      // The dashboard still runs; only the analysis is off. One hob serve per HOB_HOME still.
      const attempt = acquireServeLock(config.paths.home);
      if ("heldBy" in attempt) {
        throw new HobError("E_CONFLICT", `hob serve is already running (pid ${attempt.heldBy.pid}).`, {
          hint: "Stop it first (`systemctl --user stop hob`, or Ctrl-C in its terminal).",
        });
      }
      log.info("hob serve started", { pid: process.pid, improve: false });
      running = {
        async stop(reason) {
          log.info("hob serve stopped", { reason, clean: true });
          attempt.release();
          return true;
        },
      };
      started = {
        text:
          `hob serve: running (pid ${process.pid}); self-improvement is off (improve.enabled: false in hob.yaml), ` +
          `so no analysis is scheduled; log ${serveLogPath(config.paths.home)}. Stop with Ctrl-C or SIGTERM.`,
        event: { event: "started", pid: process.pid, enabled: false, log: serveLogPath(config.paths.home) },
      };
    } else {
      const runImprovement = await defaultRunImprovement({ config, store, log, env: io.env });
      const handle = startServe({
        home: config.paths.home,
        schedule: improve.schedule,
        ...(improve.timezone ? { timezone: improve.timezone } : {}),
        runImprovement,
        lastRunAt: () => store.improveRuns.list(1)[0]?.startedAt,
        log,
      });
      running = handle;
      const next = handle.nextRun();
      const zone = improve.timezone ?? machineTimeZone();
      started = {
        text:
          `hob serve: running (pid ${process.pid}); schedule "${improve.schedule}" (${zone}); ` +
          `${handle.catchUp ? "a missed analysis runs now; " : ""}next analysis ${next ? `${formatTime(next.getTime())} UTC` : "never"}; ` +
          `log ${handle.logPath}. Stop with Ctrl-C or SIGTERM.`,
        event: {
          event: "started",
          pid: process.pid,
          schedule: improve.schedule,
          timezone: zone,
          next_run_at: next ? next.toISOString() : null,
          catch_up: handle.catchUp !== undefined,
          log: handle.logPath,
        },
      };
    }
    let web: Awaited<ReturnType<typeof startWeb>>;
    try {
      web = await startWeb(io, config, store, address, log);
    } catch (error) {
      await running.stop("the web server did not start");
      throw error;
    }
    if (!isLoopback(address.host)) {
      io.stderr.write(
        `warning: hob serve listens on ${address.host}, reachable from other machines: anyone who gets the token ` +
          "controls hob. Prefer the default 127.0.0.1 and an SSH tunnel.\n",
      );
    }
    // The login link carries the token in the fragment only (never sent to a server, never logged).
    // Under systemd, stdout is the journal, which other users (adm, systemd-journal) may read:
    // there the link is printed without the token.
    const underService = Boolean(io.env.INVOCATION_ID);
    const shown = underService ? web.loginUrl.replace(/#token=.*$/, "") : web.loginUrl;
    const how = underService
      ? `open ${shown}#token=<the output of hob serve token> (the token is kept out of the journal)`
      : `log in with ${shown}`;
    // Listen for the stop signals before saying "ready": a SIGINT sent the moment the line appears
    // would otherwise meet Node's default action (exit without cleanup).
    const stopSignal = untilStopSignal(io);
    say(`${started.text}\nhob serve: dashboard ready; ${how}`, {
      ...started.event,
      web: { host: address.host, port: web.port },
      login_url: shown,
    });
    const reason = await stopSignal;
    await web.close();
    const clean = await running.stop(reason);
    say(`hob serve: stopped (${reason})${clean ? "" : "; the analysis did not finish in time"}.`, {
      event: "stopped",
      reason,
      clean,
    });
    return 0;
  } finally {
    store.close();
  }
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Starts the web API with its own bus and orchestrator; fastify is loaded here only. */
async function startWeb(
  io: CliIO,
  config: LoadedConfig,
  store: Store,
  address: { host: string; port: number },
  log: Logger,
): Promise<{ port: number; loginUrl: string; close(): Promise<void> }> {
  const [{ EventBus }, { createLiveOrchestrator }, web] = await Promise.all([
    import("../../events/index.js"),
    import("../../orchestrator/index.js"),
    import("../../web/index.js"),
  ]);
  const bus = new EventBus();
  // Follows hob.yaml and approved proposals while the server runs: no restart after an approval.
  const live = createLiveOrchestrator(io.env, store, bus, (error) =>
    log.error("the changed configuration does not load; the web API keeps the last good one", {
      error: String(error),
    }),
  );
  const { orchestrator } = live.current();
  const token = web.tokenFromFile(config.paths.home);
  const server = web.createWebServer({
    config,
    store,
    orchestrator,
    live: () => live.current(),
    bus,
    token,
    host: address.host,
    port: address.port,
    env: io.env,
    onBackgroundError: (error) => log.error("a task started from the web failed", { error: String(error) }),
  });
  let bound: { port: number };
  try {
    bound = await server.listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HobError(
      code === "EADDRINUSE" ? "E_CONFLICT" : "E_USAGE",
      `The web server cannot listen on ${address.host}:${address.port}: ${(error as Error).message}.`,
      { hint: "Choose another port with --port P (0 picks a free one)." },
    );
  }
  log.info("web server listening", { host: address.host, port: bound.port });
  // A wildcard address is not a name a browser can send as Host: link to loopback instead.
  const wildcard = address.host === "0.0.0.0" || address.host === "::" || address.host === "[::]";
  const urlHost =
    isLoopback(address.host) || wildcard
      ? "127.0.0.1"
      : address.host.includes(":")
        ? `[${address.host}]`
        : address.host;
  return {
    port: bound.port,
    loginUrl: `http://${urlHost}:${bound.port}/#token=${token()}`,
    close: () => server.close(),
  };
}

/** `hob serve token [--rotate]`: the web API's token alone on stdout (`--rotate`: a new one; old sessions end). */
export async function serveTokenCommand(io: CliIO, options: { rotate: boolean }): Promise<number> {
  const home = loadConfig(io.env).paths.home;
  const web = await import("../../web/index.js");
  io.stdout.write(`${options.rotate ? web.rotateToken(home) : web.loadOrCreateToken(home)}\n`);
  return 0;
}

/** Resolves with the name of the first SIGTERM, SIGINT (Ctrl-C) or SIGHUP. */
function untilStopSignal(io: CliIO): Promise<string> {
  return new Promise((resolve) => {
    const cleanups: Array<() => void> = [];
    const done = (reason: string) => {
      for (const cleanup of cleanups) cleanup();
      resolve(reason);
    };
    for (const signal of ["SIGTERM", "SIGHUP"] as const) {
      const handler = () => done(signal);
      process.on(signal, handler);
      cleanups.push(() => process.off(signal, handler));
    }
    cleanups.push(io.onInterrupt(() => done("SIGINT")));
  });
}

// ---- --install: a systemd user unit ----

/** `$XDG_CONFIG_HOME/systemd/user/hob.service` (default `~/.config/systemd/user/hob.service`). */
export function unitPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME && env.HOME.length > 0 ? env.HOME : homedir(), ".config");
  return join(base, "systemd", "user", "hob.service");
}

/** systemd's own escaping: `%` starts a specifier, `$` a variable (in ExecStart), `\` and `"` inside quotes. */
function quoted(value: string, dollar = false): string {
  let out = value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%");
  if (dollar) out = out.replace(/\$/g, "$$$$");
  return `"${out}"`;
}

/** The unit: the absolute node and hob paths (so nvm or a PATH change cannot break it), HOB_HOME, restart on failure. */
export function systemdUnit(paths: { node: string; bin: string; home: string }): string {
  if (/[\n\r]/.test(paths.node + paths.bin + paths.home)) {
    throw new HobError("E_USAGE", "A path for the systemd unit contains a line break.");
  }
  const envFile = join(paths.home, "serve.env").replace(/%/g, "%%");
  return `# Written by \`hob serve --install\`. Edit with care: \`hob serve --install --force\` rewrites it.
[Unit]
Description=hob self-improvement (hob serve)
After=network-online.target

[Service]
Type=simple
ExecStart=${quoted(paths.node, true)} ${quoted(paths.bin, true)} serve
Environment=${quoted(`HOB_HOME=${paths.home}`)}
# Optional KEY=value lines (e.g. ANTHROPIC_API_KEY, OLLAMA_HOST), kept out of this file.
EnvironmentFile=-${envFile}
Restart=on-failure
RestartSec=30
KillSignal=SIGTERM
TimeoutStopSec=60

[Install]
WantedBy=default.target
`;
}

/**
 * The `bin/hob.js` of this installation: the nearest `bin/hob.js` above this module, which
 * lies at dist/cli/commands/ (tsc), dist/bundle/ (the bundled CLI) or src/cli/commands/.
 */
function hobBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  let bin = join(dir, "bin", "hob.js");
  for (let up = 0; up < 4 && !existsSync(bin); up++) {
    dir = dirname(dir);
    bin = join(dir, "bin", "hob.js");
  }
  if (!existsSync(bin)) {
    throw new HobError("E_INTERNAL", `Cannot find hob's executable at ${bin}.`, {
      hint: "Run `hob serve --install` from an installed or built hob (`npm run build`).",
    });
  }
  return realpathSync(bin);
}

async function installCommand(io: CliIO, options: ServeOptions): Promise<number> {
  // Fail here, not in a restart loop under systemd, when hob.yaml or the schedule is wrong.
  const config = loadConfig(io.env);
  const improve = config.config.improve;
  nextSlot(improve.schedule, improve.timezone);
  const path = unitPath(io.env);
  const unit = systemdUnit({ node: realpathSync(process.execPath), bin: hobBin(), home: config.paths.home });
  const existing = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  const unchanged = existing === unit;
  if (existing !== undefined && !unchanged && !options.force) {
    throw new HobError("E_CONFLICT", `${path} already exists with different content.`, {
      hint: "Compare it with `hob serve --install --force` in mind: --force replaces it.",
    });
  }
  if (!unchanged) {
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, unit, { mode: 0o644 });
    renameSync(temp, path);
  }
  const next = "systemctl --user daemon-reload && systemctl --user enable --now hob";
  if (options.json) {
    writeJson(io, {
      unit_path: path,
      written: !unchanged,
      replaced: existing !== undefined && !unchanged,
      enabled: improve.enabled,
      next_step: next,
      logs: serveLogPath(config.paths.home),
    });
    return 0;
  }
  io.stdout.write(
    `${unchanged ? "Unchanged" : existing !== undefined ? "Replaced" : "Wrote"} ${path}\n` +
      `Next: ${next}\n` +
      `Logs: ${serveLogPath(config.paths.home)} (and \`journalctl --user -u hob\`); status: \`hob improve status\`.\n` +
      (improve.enabled ? "" : "Note: improve.enabled is false in hob.yaml, so the service will exit at once.\n") +
      "To keep the service running after you log out: loginctl enable-linger\n",
  );
  return 0;
}
