export { HAS_PROC_FD } from "./fd-walk.js";
export {
  type AuditEntry,
  type DirectoryEntry,
  SandboxedFileSystem,
  type SandboxOptions,
  type SearchMatch,
  type SearchResult,
} from "./fs.js";
export { type Intent, isInside, printable, type Resolved, resolveInside } from "./paths.js";
export { proveSandbox, type SandboxProof } from "./probe.js";
export {
  findBubblewrap,
  neutralise,
  noSandboxError,
  type PreparedSandbox,
  prepareSandbox,
  runSandboxed,
  SANDBOX_DEFAULTS,
  type SandboxRunOptions,
  type SandboxRunResult,
  spawnPrepared,
  UNCONFINED_ENV,
  unconfinedAllowed,
} from "./process.js";
export { GIT_REASON, normaliseName, resolveHobPaths } from "./protected.js";
export { type LineMatch, RegexMatcher } from "./regex-worker.js";
export { deniedSyscalls, seccompProgram } from "./seccomp.js";
