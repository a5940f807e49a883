/**
 * Git for hob's own repositories (skill folders now, self-improvement later): create,
 * commit, revert, read the log. No hook, fsmonitor or signing program configured in a
 * repository ever runs, and no global git config is written.
 */
export { commitAll, ensureRepository, type GitAuthor, head, type LogEntry, log, revert } from "./git.js";
