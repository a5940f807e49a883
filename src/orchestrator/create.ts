import { AgentRegistry } from "../agents/index.js";
import { type LoadedConfig, loadConfig } from "../config/index.js";
import type { EventBus } from "../events/index.js";
import { openMemory } from "../memory/index.js";
import type { Store } from "../store/index.js";
import { Orchestrator } from "./orchestrator.js";
import { createRouter, createRouting } from "./routing.js";

/** Builds an orchestrator from config with the real router and routing cascade. */
export function createOrchestrator(
  config: LoadedConfig,
  store: Store,
  router = createRouter(config, store),
  bus?: EventBus,
): Orchestrator {
  const agents = AgentRegistry.load(config.paths.home);
  return new Orchestrator({
    config,
    store,
    router,
    ...(bus ? { bus } : {}),
    routing: createRouting(config, router, agents),
    agents,
    // Opened lazily: nothing is read or embedded until a task gathers context or finishes.
    ...(config.config.memory.enabled ? { memory: openMemory(config, store) } : {}),
  });
}

/**
 * The config and an orchestrator built from the files as they are now: hob.yaml, the managed
 * repository (routing.yaml, litellm.yaml, agents/, skills/), $HOB_HOME/agents and skills. A
 * long-running process (`hob serve`) calls this once per task, so an applied proposal takes
 * effect at the next task without a restart. It is cheap (a few milliseconds warm, see
 * bench/reload.ts; skills are synced at the task's start, re-validating changed ones only). What
 * does not carry over from the previous orchestrator is the router's in-memory state (cooldowns,
 * latency); the response cache is in the store and does.
 */
export function loadOrchestrator(
  env: NodeJS.ProcessEnv,
  store: Store,
  bus?: EventBus,
): { config: LoadedConfig; orchestrator: Orchestrator } {
  const config = loadConfig(env);
  return { config, orchestrator: createOrchestrator(config, store, createRouter(config, store), bus) };
}
