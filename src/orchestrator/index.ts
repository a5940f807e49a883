export { createOrchestrator, createRouter, loadOrchestrator, storeCache } from "./create.js";
export { createLiveOrchestrator, type LiveOrchestrator } from "./live.js";
export {
  type Activity,
  Orchestrator,
  type OrchestratorDeps,
  type ResumeRequest,
  type RunRequest,
} from "./orchestrator.js";
export { sessionHistory } from "./session-history.js";
export { createSkillRegistry } from "./skills-access.js";
export { hobPaths } from "./tool-context.js";
