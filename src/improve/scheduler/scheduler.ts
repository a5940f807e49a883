/**
 * When analyses run under `hob serve`: on each slot of a cron schedule (croner, with
 * seconds and time zones), plus once at start-up when a slot was missed while nothing
 * was running. Never two at once: a slot that comes while a run is still going is
 * skipped (and logged), and each run holds the cross-process analysis lock, so a
 * `hob improve run` in another terminal and a slot never overlap either.
 *
 * Croner computes the slots; the waiting is our own `setTimeout`, re-armed at most a
 * minute ahead, so an injected clock (tests, fake timers) drives it, a suspended laptop
 * runs the slot it slept through once on waking (not once per missed slot), and a clock
 * set back just waits for the slot it already computed.
 */
import { Cron } from "croner";
import { HobError } from "../../errors/index.js";
import type { LockAttempt } from "./lock.js";
import type { Logger } from "./log.js";

export type ScheduledTrigger = "schedule" | "missed";

/** The analysis itself; must give up (or checkpoint) soon after `signal` aborts. */
export type RunImprovement = (trigger: ScheduledTrigger, signal: AbortSignal) => Promise<unknown>;

export interface SchedulerDeps {
  /** A cron pattern: 5 fields, or 6 with seconds first. */
  schedule: string;
  /** An IANA zone (`Europe/Lisbon`); default the machine's. */
  timezone?: string;
  now?: () => number;
  runImprovement: RunImprovement;
  /** When the last analysis (of any trigger and outcome) started, epoch ms; undefined if none ever did. */
  lastRunAt: () => number | undefined;
  log: Logger;
  /** Takes the cross-process analysis lock (e.g. `() => acquireImproveLock(home)`). */
  lock: () => LockAttempt;
  /** How long `stop()` waits for an aborted run to finish (default 20 s). */
  stopTimeoutMs?: number;
  /** The longest single timer (default 60 s); the slot is re-checked at least this often. */
  maxSleepMs?: number;
}

export type RunOutcome = "succeeded" | "failed" | "aborted" | "skipped-busy" | "skipped-locked";

interface CurrentRun {
  trigger: ScheduledTrigger;
  startedAt: number;
  controller: AbortController;
  done: Promise<RunOutcome>;
}

/** Parses a schedule; a bad pattern or zone is a config error naming the setting. */
export function parseSchedule(schedule: string, timezone?: string): Cron {
  try {
    const cron = new Cron(schedule, { paused: true, ...(timezone ? { timezone } : {}) });
    // A bad time zone only shows when a date is computed.
    cron.nextRun();
    return cron;
  } catch (error) {
    throw new HobError(
      "E_CONFIG",
      `improve.schedule "${schedule}"${timezone ? ` in ${timezone}` : ""} is not a valid cron schedule: ${(error as Error).message}`,
      {
        hint: 'Use five cron fields (minute hour day month weekday), e.g. "0 */6 * * *", and an IANA time zone such as "Europe/Lisbon".',
        cause: error,
      },
    );
  }
}

/** The next slot of a schedule after `from` (default now), without starting anything. */
export function nextSlot(schedule: string, timezone: string | undefined, from = Date.now()): Date | null {
  const cron = parseSchedule(schedule, timezone);
  try {
    return cron.nextRun(new Date(from));
  } finally {
    cron.stop();
  }
}

/** The most recent slot at or before `at`, if the schedule had one. */
export function previousSlot(schedule: string, timezone: string | undefined, at = Date.now()): Date | undefined {
  const cron = parseSchedule(schedule, timezone);
  try {
    return cron.previousRuns(1, new Date(at + 1))[0];
  } finally {
    cron.stop();
  }
}

export class Scheduler {
  private readonly cron: Cron;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private slot: number | undefined;
  private current: CurrentRun | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.cron = parseSchedule(deps.schedule, deps.timezone);
    this.now = deps.now ?? Date.now;
  }

  /**
   * Catches up a missed slot (the last slot before now is after the last run's start, or
   * there never was a run), then waits for the slots. Returns the catch-up run's promise,
   * if there is one, so a caller may await it; the scheduler does not need it awaited.
   */
  start(): Promise<RunOutcome> | undefined {
    if (this.started) throw new Error("Scheduler.start() called twice");
    this.started = true;
    const now = this.now();
    // +1 ms: croner's previous runs are strictly before the reference, and a slot exactly now counts.
    const previous = this.cron.previousRuns(1, new Date(now + 1))[0];
    const last = this.deps.lastRunAt();
    let catchUp: Promise<RunOutcome> | undefined;
    if (previous && (last === undefined || previous.getTime() > last)) {
      this.deps.log.info("a scheduled run was missed: running now", {
        missed_slot: previous.toISOString(),
        last_run_at: last === undefined ? null : new Date(last).toISOString(),
      });
      catchUp = this.run("missed");
    }
    this.arm(now);
    return catchUp;
  }

  /** The next slot, or null when stopped (or the schedule has no more slots). */
  nextRun(): Date | null {
    if (this.stopped) return null;
    if (this.slot !== undefined) return new Date(this.slot);
    return this.cron.nextRun(new Date(this.now()));
  }

  /** Whether an analysis is running in this process. */
  isBusy(): boolean {
    return this.current !== undefined;
  }

  /** The running analysis, for status lines. */
  running(): { trigger: ScheduledTrigger; startedAt: number } | undefined {
    return this.current ? { trigger: this.current.trigger, startedAt: this.current.startedAt } : undefined;
  }

  /**
   * Stops the timer and aborts the running analysis through its signal, then waits for it
   * (at most `stopTimeoutMs`). Resolves to whether nothing was left running.
   */
  async stop(reason = "stopping"): Promise<boolean> {
    if (!this.stopped) {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.slot = undefined;
      this.cron.stop();
    }
    const current = this.current;
    if (!current) return true;
    if (!current.controller.signal.aborted) {
      this.deps.log.info("stopping: asking the running analysis to finish", { trigger: current.trigger, reason });
      current.controller.abort(new HobError("E_CANCELLED", `hob serve is ${reason}.`));
    }
    const timeoutMs = this.deps.stopTimeoutMs ?? 20_000;
    let timeout: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      current.done.then(() => true),
      new Promise<boolean>((resolve) => {
        timeout = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timeout);
    if (!finished) this.deps.log.warn("the analysis did not stop in time; leaving it", { timeout_ms: timeoutMs });
    return finished;
  }

  /** Arms the timer for the next slot after `from`. */
  private arm(from: number): void {
    if (this.stopped) return;
    const next = this.cron.nextRun(new Date(from));
    if (!next) {
      this.slot = undefined;
      this.deps.log.warn("the schedule has no further slots", { schedule: this.deps.schedule });
      return;
    }
    this.slot = next.getTime();
    this.sleep();
  }

  private sleep(): void {
    if (this.stopped || this.slot === undefined) return;
    const wait = Math.max(0, Math.min(this.slot - this.now(), this.deps.maxSleepMs ?? 60_000));
    this.timer = setTimeout(() => this.wake(), wait);
  }

  private wake(): void {
    this.timer = undefined;
    if (this.stopped || this.slot === undefined) return;
    const now = this.now();
    if (now < this.slot) {
      this.sleep();
      return;
    }
    const slot = this.slot;
    // The next slot strictly after both this one and now: slots slept through collapse into this run.
    this.arm(Math.max(now, slot));
    void this.run("schedule", slot);
  }

  /** One analysis, unless one is running here or the lock is held elsewhere. */
  private run(trigger: ScheduledTrigger, slot?: number): Promise<RunOutcome> {
    const slotIso = slot === undefined ? undefined : new Date(slot).toISOString();
    if (this.current) {
      this.deps.log.warn("skipped a slot: the previous analysis is still running", {
        trigger,
        slot: slotIso,
        running_since: new Date(this.current.startedAt).toISOString(),
      });
      return Promise.resolve("skipped-busy");
    }
    let lock: LockAttempt;
    try {
      lock = this.deps.lock();
    } catch (error) {
      this.deps.log.error("skipped a slot: could not take the analysis lock", { trigger, slot: slotIso, error });
      return Promise.resolve("skipped-locked");
    }
    if ("heldBy" in lock) {
      this.deps.log.warn("skipped a slot: another process is running an analysis", {
        trigger,
        slot: slotIso,
        pid: lock.heldBy.pid,
        since: new Date(lock.heldBy.started_at).toISOString(),
      });
      return Promise.resolve("skipped-locked");
    }
    const controller = new AbortController();
    const startedAt = this.now();
    this.deps.log.info("analysis started", { trigger, slot: slotIso });
    const current: CurrentRun = { trigger, startedAt, controller, done: Promise.resolve("succeeded") };
    // Busy before the analysis is called: one that throws at once must still clear it after.
    this.current = current;
    current.done = (async (): Promise<RunOutcome> => {
      try {
        const result = await this.deps.runImprovement(trigger, controller.signal);
        const outcome: RunOutcome = controller.signal.aborted ? "aborted" : "succeeded";
        this.deps.log.info(outcome === "aborted" ? "analysis stopped early" : "analysis finished", {
          trigger,
          duration_ms: this.now() - startedAt,
          ...summarise(result),
        });
        return outcome;
      } catch (error) {
        if (controller.signal.aborted) {
          this.deps.log.warn("analysis stopped", { trigger, duration_ms: this.now() - startedAt, error });
          return "aborted";
        }
        this.deps.log.error("analysis failed", { trigger, duration_ms: this.now() - startedAt, error });
        return "failed";
      } finally {
        lock.release();
        if (this.current === current) this.current = undefined;
      }
    })();
    return current.done;
  }
}

/** The few fields of a run's result worth a log line (whatever shape the analysis returns). */
function summarise(result: unknown): Record<string, unknown> {
  if (result === null || typeof result !== "object") return {};
  const r = result as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (typeof r.id === "string") out.run_id = r.id;
  if (typeof r.status === "string") out.status = r.status;
  if (Array.isArray(r.findings)) out.findings = r.findings.length;
  else if (typeof r.findings === "number") out.findings = r.findings;
  if (typeof r.proposals === "number") out.proposals = r.proposals;
  else if (Array.isArray(r.proposals)) out.proposals = r.proposals.length;
  const cost = r.costUsd ?? r.cost_usd;
  if (typeof cost === "number") out.cost_usd = cost;
  if (typeof r.message === "string") out.note = r.message;
  return out;
}
