import { hobStatePaths, type LoadedConfig } from "../config/index.js";

/** hob's own state, kept out of reach even if a workspace contains HOB_HOME. */
export function hobPaths(config: LoadedConfig): string[] {
  return hobStatePaths(config.paths);
}
