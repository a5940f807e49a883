import type { LoadedConfig } from "../../config/index.js";
import type { EventBus } from "../../events/index.js";
import type { ApplyDeps } from "../../improve/index.js";
import type { Orchestrator } from "../../orchestrator/index.js";
import type { SkillRegistry } from "../../skills/index.js";
import type { Store } from "../../store/index.js";
import type { App } from "../http.js";
import type { SessionRevocations } from "../security.js";

/** What every route module is given: the server's dependencies and its shared helpers. */
export interface RouteContext {
  app: App;
  /** The configuration and orchestrator in effect now (a long-running server follows edits and approved changes). */
  current: () => { config: LoadedConfig; orchestrator: Orchestrator };
  store: Store;
  bus: EventBus;
  now: () => number;
  token: () => string;
  /** Sessions ended by log-out. */
  revoked: SessionRevocations;
  /** Aborted when the server closes: tasks started by a request stop with it. */
  signal: AbortSignal;
  /** Runs work after the response is sent; its failure is the task's own record, reported but not thrown. */
  inBackground: (work: Promise<unknown>) => void;
  applyDeps: () => Promise<ApplyDeps>;
  skills: () => Promise<SkillRegistry>;
}
