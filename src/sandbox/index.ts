export { decideApproval, type PolicyInput, type PolicyVerdict, type Situation } from "./approval-policy.js";
export {
  type AuditEntry,
  type DirectoryEntry,
  SandboxedFileSystem,
  type SandboxOptions,
  type SearchMatch,
} from "./fs.js";
export { type Intent, isInside, printable, type Resolved, resolveInside } from "./paths.js";
export {
  findBubblewrap,
  neutralise,
  noSandboxError,
  runSandboxed,
  SANDBOX_DEFAULTS,
  type SandboxRunOptions,
  type SandboxRunResult,
} from "./process.js";
export { normaliseName } from "./protected.js";
