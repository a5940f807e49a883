/**
 * Every status a task can have: the one list the store's type and the CLI's `--status`
 * choices come from. A leaf with no imports, so `hob --help` can load it at start-up.
 */
export const TASK_STATUSES = [
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "interrupted",
  "awaiting_approval",
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
