/**
 * The managed repository: what hob may change about itself (agents, skills, routing.yaml,
 * litellm.yaml), a git repository under $HOB_HOME the loaders read live.
 */
export { checkManagedPath, type ManagedPathCheck } from "./paths.js";
export { ensureManagedRepo, MANAGED_README } from "./repo.js";
