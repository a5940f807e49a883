/**
 * Self-improvement: hob analyses its own history, drafts changes to what it may change
 * about itself (skills, agent YAML, routing, litellm.yaml, all in the managed git
 * repository), validates them, and queues them for a human through the one approval
 * owner. Applying commits the approved diff; rolling back reverts that commit.
 */
export {
  type AnalysisOptions,
  analyseHistory,
  type Finding,
  type FindingAction,
  type FindingKind,
} from "./analysis/index.js";
export { type ApplyDeps, approveProposal, rejectProposal, rollbackProposal, sha256 } from "./apply.js";
export { type Draft, draftChange } from "./draft.js";
export { queueProposal } from "./queue.js";
export { applyDeps, type ImprovementDeps, type ImprovementReport, runImprovement } from "./run.js";
export { type DraftValidation, validateDraft } from "./validate.js";
