export { MIGRATIONS, migrate, SCHEMA_VERSION } from "./migrations.js";
export type { ModelCallRecord } from "./model-calls.js";
export type { ModelStats, Stats, TierStats, TokenTotals } from "./stats.js";
export { Store, type StoreOptions } from "./store.js";
export type { NewTask, TaskOutcome, TaskRecord, TaskStatus, TaskUsage, TaskWithUsage } from "./tasks.js";
