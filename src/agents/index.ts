export { type AgentResult, BaseAgent, createAgent, type Validation } from "./base-agent.js";
export {
  type AgentDefinition,
  type AgentDefinitionInput,
  agentDefinitionSchema,
  BUILT_IN_AGENTS_DIR,
  parseDefinition,
} from "./definition.js";
export { AgentRegistry } from "./registry.js";
export { type ApprovalGate, modelCallEvent, type ToolLookup } from "./seams.js";
export {
  type LoopDeps,
  type LoopEvent,
  type LoopOutcome,
  type LoopState,
  newLoopState,
  runToolLoop,
} from "./tool-loop.js";
