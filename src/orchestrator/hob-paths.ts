import { join } from "node:path";
import type { LoadedConfig } from "../config/index.js";

/** hob's own state, kept out of reach even if a workspace contains HOB_HOME. */
export function hobPaths(config: LoadedConfig): string[] {
  const { home, configFile, database } = config.paths;
  return [
    configFile,
    database,
    `${database}-wal`,
    `${database}-shm`,
    join(home, "config"),
    join(home, "agents"),
    join(home, "skills"),
  ];
}
