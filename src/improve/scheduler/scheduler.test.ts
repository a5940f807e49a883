import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HobError } from "../../errors/index.js";
import type { LockAttempt } from "./lock.js";
import { MemoryLogger } from "./log.js";
import { nextSlot, previousSlot, type RunImprovement, Scheduler, type SchedulerDeps } from "./scheduler.js";

const T0 = Date.parse("2026-03-01T10:00:05.000Z");

/** A lock that counts, and can be made to look held by another process. */
function fakeLock() {
  const state = { held: false, acquired: 0, released: 0, otherHolder: false };
  const lock = (): LockAttempt => {
    if (state.otherHolder) return { heldBy: { pid: 4242, started_at: T0, hostname: "h", token: "t" } };
    if (state.held) throw new Error("lock taken twice in one process");
    state.held = true;
    state.acquired++;
    return {
      path: "/x",
      info: { pid: process.pid, started_at: Date.now(), hostname: "h", token: "me" },
      release() {
        if (!state.held) return;
        state.held = false;
        state.released++;
      },
    };
  };
  return { state, lock };
}

function setup(overrides: Partial<SchedulerDeps> & { runImprovement?: RunImprovement } = {}) {
  const log = new MemoryLogger();
  const { state, lock } = fakeLock();
  const calls: Array<{ trigger: string; at: number; signal: AbortSignal }> = [];
  const runImprovement: RunImprovement =
    overrides.runImprovement ??
    (async (trigger, signal) => {
      calls.push({ trigger, at: Date.now(), signal });
      return { id: "run1", status: "succeeded", findings: [1, 2], proposals: 1, costUsd: 0.01 };
    });
  const scheduler = new Scheduler({
    schedule: "*/10 * * * * *",
    lastRunAt: () => T0,
    log,
    lock,
    ...overrides,
    runImprovement,
  });
  return { scheduler, log, lockState: state, calls };
}

describe("Scheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs on each slot of the schedule and nowhere else", async () => {
    const { scheduler, calls, lockState } = setup();
    expect(scheduler.start()).toBeUndefined(); // last run (T0) is after the previous slot (10:00:00)
    expect(scheduler.nextRun()?.toISOString()).toBe("2026-03-01T10:00:10.000Z");
    await vi.advanceTimersByTimeAsync(4_000);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(26_000); // to 10:00:35: slots :10, :20, :30
    expect(calls.map((c) => [c.trigger, new Date(c.at).toISOString()])).toEqual([
      ["schedule", "2026-03-01T10:00:10.000Z"],
      ["schedule", "2026-03-01T10:00:20.000Z"],
      ["schedule", "2026-03-01T10:00:30.000Z"],
    ]);
    expect(lockState).toMatchObject({ acquired: 3, released: 3, held: false });
    expect(scheduler.nextRun()?.toISOString()).toBe("2026-03-01T10:00:40.000Z");
    await scheduler.stop();
  });

  it("catches up once at start when a slot passed after the last run", async () => {
    const { scheduler, calls, log } = setup({ lastRunAt: () => T0 - 60_000 });
    const catchUp = scheduler.start();
    expect(catchUp).toBeDefined();
    expect(await catchUp).toBe("succeeded");
    expect(calls.map((c) => c.trigger)).toEqual(["missed"]);
    expect(log.messages()).toContain("a scheduled run was missed: running now");
    // The regular slots go on as usual.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls.map((c) => c.trigger)).toEqual(["missed", "schedule"]);
    await scheduler.stop();
  });

  it("counts a slot exactly at start-up as missed", async () => {
    vi.setSystemTime(Date.parse("2026-03-01T10:00:10.000Z"));
    const { scheduler, calls } = setup({ lastRunAt: () => T0 });
    await scheduler.start();
    expect(calls.map((c) => c.trigger)).toEqual(["missed"]);
    expect(scheduler.nextRun()?.toISOString()).toBe("2026-03-01T10:00:20.000Z");
    await scheduler.stop();
  });

  it("catches up when no analysis ever ran", async () => {
    const { scheduler, calls } = setup({ lastRunAt: () => undefined });
    await scheduler.start();
    expect(calls.map((c) => c.trigger)).toEqual(["missed"]);
    await scheduler.stop();
  });

  it("does not catch up when the last run started after the previous slot", async () => {
    const { scheduler, calls } = setup({ schedule: "0 */6 * * *", lastRunAt: () => T0 - 5_000 });
    expect(scheduler.start()).toBeUndefined();
    expect(calls).toHaveLength(0);
    expect(scheduler.nextRun()?.toISOString()).toBe("2026-03-01T12:00:00.000Z");
    await scheduler.stop();
  });

  it("never overlaps: a slot that comes while a run is going is skipped and logged", async () => {
    let finish: () => void = () => {};
    let started = 0;
    const { scheduler, log, lockState } = setup({
      runImprovement: () => {
        started++;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(5_000); // slot :10 starts a run that does not finish
    expect(started).toBe(1);
    expect(scheduler.isBusy()).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000); // slots :20 and :30 come and go
    expect(started).toBe(1);
    expect(log.entries.filter((e) => e.message.includes("still running"))).toHaveLength(2);
    expect(lockState.acquired).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(10_000); // slot :40 runs again
    expect(started).toBe(2);
    finish();
    await scheduler.stop();
    expect(lockState).toMatchObject({ held: false, released: 2 });
  });

  it("skips a slot while another process holds the analysis lock", async () => {
    const { scheduler, calls, log, lockState } = setup();
    lockState.otherHolder = true;
    scheduler.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(0);
    expect(log.entries.find((e) => e.message.includes("another process"))?.fields).toMatchObject({ pid: 4242 });
    lockState.otherHolder = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1);
    await scheduler.stop();
  });

  it("logs a failed analysis and keeps its schedule", async () => {
    let n = 0;
    const { scheduler, log, lockState } = setup({
      runImprovement: async () => {
        n++;
        if (n === 1) throw new Error("model said no (sk-ant-api03-SECRETSECRETSECRET)");
        return {};
      },
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(10_000); // slot :10 fails
    expect(log.entries.find((e) => e.level === "error")?.message).toBe("analysis failed");
    expect(lockState.held).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(n).toBe(2);
    await scheduler.stop();
  });

  it("stop() aborts the running analysis through its signal and waits for it", async () => {
    let seen: AbortSignal | undefined;
    let checkpointed = false;
    const { scheduler, lockState } = setup({
      runImprovement: (_trigger, signal) => {
        seen = signal;
        return new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            // A real analysis writes its checkpoint, then returns.
            setTimeout(() => {
              checkpointed = true;
              resolve({ status: "interrupted" });
            }, 500);
          });
        });
      },
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(scheduler.isBusy()).toBe(true);
    const stopped = scheduler.stop("SIGTERM");
    await vi.advanceTimersByTimeAsync(600);
    expect(await stopped).toBe(true);
    expect(seen?.aborted).toBe(true);
    expect((seen?.reason as HobError | undefined)?.code).toBe("E_CANCELLED");
    expect(checkpointed).toBe(true);
    expect(lockState.held).toBe(false);
    expect(scheduler.nextRun()).toBeNull();
    // No slot fires after stop.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lockState.acquired).toBe(1);
  });

  it("stop() waits only so long for an analysis that ignores the signal", async () => {
    const { scheduler, log } = setup({ stopTimeoutMs: 2_000, runImprovement: () => new Promise(() => {}) });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(5_000);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(2_100);
    expect(await stopped).toBe(false);
    expect(log.messages()).toContain("the analysis did not stop in time; leaving it");
  });

  it("runs a slot slept through (suspend) once on waking, not once per missed slot", async () => {
    const { scheduler, calls } = setup({ schedule: "0 * * * *" }); // hourly
    scheduler.start();
    // The machine sleeps three hours: the clock jumps, timers do not fire meanwhile.
    vi.setSystemTime(T0 + 3 * 3_600_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.map((c) => c.trigger)).toEqual(["schedule"]);
    expect(scheduler.nextRun()?.toISOString()).toBe("2026-03-01T14:00:00.000Z");
    await scheduler.stop();
  });

  it("an analysis that throws at once still frees the scheduler", async () => {
    const { scheduler, lockState } = setup({
      runImprovement: () => {
        throw new Error("synchronous");
      },
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(scheduler.isBusy()).toBe(false);
    expect(lockState.held).toBe(false);
    await scheduler.stop();
  });
});

describe("schedules", () => {
  it("follow the time zone", () => {
    const from = Date.parse("2026-03-01T10:00:00.000Z");
    expect(nextSlot("0 9 * * *", "Asia/Tokyo", from)?.toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(nextSlot("0 9 * * *", "UTC", from)?.toISOString()).toBe("2026-03-02T09:00:00.000Z");
    expect(previousSlot("0 */6 * * *", "UTC", from)?.toISOString()).toBe("2026-03-01T06:00:00.000Z");
  });

  it("reject a bad pattern or zone as a config error", () => {
    for (const [pattern, zone] of [
      ["every six hours", undefined],
      ["0 */6 * * *", "Mars/Olympus"],
    ] as const) {
      let error: unknown;
      try {
        nextSlot(pattern, zone);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HobError);
      expect((error as HobError).code).toBe("E_CONFIG");
    }
  });
});
