export { createOrchestrator, createRouter, storeCache } from "./create.js";
export { GENERAL_SYSTEM_PROMPT, Orchestrator, type OrchestratorDeps, type RunRequest } from "./orchestrator.js";
