export { createOrchestrator, loadOrchestrator } from "./create.js";
export { createLiveOrchestrator, type LiveOrchestrator } from "./live.js";
export {
  type Activity,
  Orchestrator,
  type OrchestratorDeps,
  type ResumeRequest,
  type RunRequest,
} from "./orchestrator.js";
export { createRouter, createRouting, storeCache } from "./routing.js";
export { sessionHistory } from "./session-history.js";
export { createSkillRegistry } from "./skills-access.js";
export { createToolContext, hobPaths } from "./tool-context.js";
