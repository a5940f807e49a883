/**
 * Git for hob's own repositories (skill folders now, self-improvement later): create,
 * commit, revert, read the log. No hook, fsmonitor or signing program configured in a
 * repository ever runs, and no global git config is written.
 */
export {
  applyPatch,
  changedFiles,
  commitAll,
  commitStaged,
  diffSinceHead,
  ensureRepository,
  findCommit,
  type GitAuthor,
  head,
  type LogEntry,
  log,
  resetHard,
  revert,
  type StagedChange,
  stagedChanges,
} from "./git.js";
