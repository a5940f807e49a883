import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { LoadedConfig } from "../config/index.js";
import type { EventBus } from "../events/index.js";
import type { Store } from "../store/index.js";
import { loadOrchestrator } from "./create.js";
import type { Orchestrator } from "./orchestrator.js";

export interface LiveOrchestrator {
  /** The orchestrator for what the files say now (rebuilt when they changed since the last call). */
  current(): { config: LoadedConfig; orchestrator: Orchestrator };
}

/** What a change shows in: a file's size and time, or its absence. */
function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return "-";
  }
}

/** The managed repository's current commit, read from .git without running git (cheap enough per request). */
function managedHead(repo: string): string {
  try {
    const head = readFileSync(join(repo, ".git", "HEAD"), "utf8").trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    return ref ? `${ref}@${stamp(join(repo, ".git", ref))}:${stamp(join(repo, ".git", "packed-refs"))}` : head;
  } catch {
    return "-";
  }
}

/**
 * For a long-running process (`hob serve`): a CLI command reads its configuration once per
 * run, but a server lives across edits of hob.yaml and across approved proposals (a commit in
 * the managed repository, from the web or from another process). Each use checks a cheap
 * fingerprint of those and rebuilds the orchestrator when it moved. A config that no longer
 * loads keeps the last good one and the error is reported once, not thrown at every request.
 */
export function createLiveOrchestrator(
  env: NodeJS.ProcessEnv,
  store: Store,
  bus: EventBus,
  onReloadError: (error: unknown) => void = () => {},
): LiveOrchestrator {
  const fingerprint = (config: LoadedConfig) =>
    [
      stamp(config.paths.configFile),
      managedHead(config.paths.managedRepo),
      stamp(join(config.paths.home, "agents")),
    ].join("|");
  let built = loadOrchestrator(env, store, bus);
  let seen = fingerprint(built.config);
  let failedAt: string | undefined;
  return {
    current() {
      const now = fingerprint(built.config);
      if (now === seen || now === failedAt) return built;
      try {
        built = loadOrchestrator(env, store, bus);
        seen = now;
        failedAt = undefined;
      } catch (error) {
        failedAt = now;
        onReloadError(error);
      }
      return built;
    },
  };
}
