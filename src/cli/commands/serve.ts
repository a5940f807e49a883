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
}

/** `hob serve`: runs until SIGTERM/SIGINT/SIGHUP; `--install` writes the systemd user unit instead. */
export async function serveCommand(io: CliIO, options: ServeOptions): Promise<number> {
  if (options.install) return installCommand(io, options);
  const { config, store } = await openContext(io, options);
  const improve = config.config.improve;
  const say = (text: string, event: Record<string, unknown>) => {
    if (options.json) io.stdout.write(`${JSON.stringify(event)}\n`);
    else io.stdout.write(`${text}\n`);
  };
  try {
    if (!improve.enabled) {
      // Decided: exit 0 rather than idle. A service that exits 0 is not restarted by
      // Restart=on-failure, and an idle process would only hide that nothing happens.
      say(
        "hob serve: self-improvement is off (improve.enabled: false in hob.yaml); nothing to do. " +
          "Set it to true and start hob serve again (`systemctl --user restart hob` when installed).",
        { event: "disabled", enabled: false },
      );
      return 0;
    }
    const log = new FileLogger(serveLogPath(config.paths.home));
    const runImprovement = await defaultRunImprovement({ config, store, log, env: io.env });
    const handle = startServe({
      home: config.paths.home,
      schedule: improve.schedule,
      ...(improve.timezone ? { timezone: improve.timezone } : {}),
      runImprovement,
      lastRunAt: () => store.improveRuns.list(1)[0]?.startedAt,
      log,
    });
    const next = handle.nextRun();
    const zone = improve.timezone ?? machineTimeZone();
    say(
      `hob serve: running (pid ${process.pid}); schedule "${improve.schedule}" (${zone}); ` +
        `${handle.catchUp ? "a missed analysis runs now; " : ""}next analysis ${next ? `${formatTime(next.getTime())} UTC` : "never"}; ` +
        `log ${handle.logPath}. Stop with Ctrl-C or SIGTERM.`,
      {
        event: "started",
        pid: process.pid,
        schedule: improve.schedule,
        timezone: zone,
        next_run_at: next ? next.toISOString() : null,
        catch_up: handle.catchUp !== undefined,
        log: handle.logPath,
      },
    );
    const reason = await untilStopSignal(io);
    const clean = await handle.stop(reason);
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

/** The `bin/hob.js` of this installation. */
function hobBin(): string {
  const bin = fileURLToPath(new URL("../../../bin/hob.js", import.meta.url));
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
