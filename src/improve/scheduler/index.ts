/**
 * The scheduling side of self-improvement: when `hob serve` runs an analysis, the locks
 * that keep two from overlapping, and the rotating log.
 */
export {
  acquireImproveLock,
  acquireLock,
  acquireServeLock,
  type HeldLock,
  IMPROVE_LOCK_FILE,
  isHeld,
  isStale,
  type LockAttempt,
  type LockInfo,
  type LockOptions,
  liveHolder,
  pidIsAlive,
  readLock,
  SERVE_LOCK_FILE,
} from "./lock.js";
export {
  FileLogger,
  type FileLoggerOptions,
  formatLine,
  type LogFields,
  type Logger,
  type LogLevel,
  MemoryLogger,
  serveLogPath,
} from "./log.js";
export {
  nextSlot,
  parseSchedule,
  previousSlot,
  type RunImprovement,
  type RunOutcome,
  type ScheduledTrigger,
  Scheduler,
  type SchedulerDeps,
} from "./scheduler.js";
