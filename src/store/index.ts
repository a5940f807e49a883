export type { ApprovalRecord, ApprovalStatus, ApprovalSubjectKind } from "./approvals.js";
export type { AuditRecord } from "./audit.js";
export type { ReserveOutcome, ReserveRequest, SpendWindow, WindowSpend } from "./budgets.js";
export { Database, DRIVER } from "./driver.js";
export { ftsText, hasUnspacedScript } from "./fts-text.js";
export { newId } from "./ids.js";
export type {
  ImproveRunRecord,
  ImproveRunStatus,
  ImproveTrigger,
  NewProposal,
  ProposalKind,
  ProposalRecord,
  ProposalStatus,
  ValidationCheck,
} from "./improve.js";
export { PROPOSAL_STATUSES } from "./improve.js";
export type { MemoryKind, MemoryMetadata, MemoryRecord, NewMemory } from "./memories.js";
export { MIGRATIONS, migrate, SCHEMA_VERSION } from "./migrations.js";
export type { ModelCallRecord } from "./model-calls.js";
export type { CacheStats } from "./response-cache.js";
export { MAX_SERIES_POINTS, type SeriesBucket, type SeriesPoint } from "./series.js";
export type { SessionSummary, SessionTurn } from "./sessions.js";
export type { SkillRecord, SkillRun, SkillStatus } from "./skills.js";
export type {
  CounterfactualPrice,
  ModelStats,
  RoutingStats,
  Stats,
  TierStats,
  TokenSplit,
  TokenTotals,
} from "./stats.js";
export type { StepRecord, StepStatus } from "./steps.js";
export { Store, type StoreOptions } from "./store.js";
export {
  type NewTask,
  TASK_STATUSES,
  type TaskContext,
  type TaskOutcome,
  type TaskRecord,
  type TaskRoute,
  type TaskStatus,
  type TaskUsage,
  type TaskWithUsage,
} from "./tasks.js";
