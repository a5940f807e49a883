import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

export interface HobPaths {
  home: string;
  configFile: string;
  database: string;
  workspace: string;
  /**
   * The managed repository (`$HOB_HOME/managed`): a git repository holding what hob may change
   * about itself through approved proposals (agents, skills, routing.yaml, litellm.yaml).
   * It may not exist yet; loaders treat a missing repository or file as empty.
   */
  managedRepo: string;
}

/** Where hob keeps its state. `HOB_HOME` wins; tests always set it to a temp dir. */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env): HobPaths {
  const home = resolve(env.HOB_HOME && env.HOB_HOME.length > 0 ? env.HOB_HOME : join(homedir(), ".hob"));
  return {
    home,
    configFile: join(home, "hob.yaml"),
    database: join(home, "hob.db"),
    workspace: join(home, "workspace"),
    managedRepo: managedRepoPath(home),
  };
}

/** `$HOB_HOME/managed`: the git repository of hob's approved self-changes. */
export function managedRepoPath(home: string): string {
  return join(home, "managed");
}

/** `~` and `~/…` mean the user's home folder (the shell does this for unquoted words, hob for the rest). */
export function expandHome(path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
  return join(home, path.slice(1));
}

/**
 * hob's own state, kept out of reach of agents and skills even if a workspace contains
 * HOB_HOME: its config, database, router config, agents and skills, and the managed repository
 * (changed only by applying an approved proposal). (HOB_HOME itself is not listed: the default
 * workspace lies inside it.)
 */
export function hobStatePaths(paths: HobPaths): string[] {
  const { home, configFile, database, managedRepo } = paths;
  return [
    configFile,
    database,
    `${database}-wal`,
    `${database}-shm`,
    // The key that seals approval records (next to the database): whoever reads it can forge one.
    join(dirname(database), "approvals.key"),
    join(home, "config"),
    join(home, "agents"),
    join(home, "skills"),
    managedRepo,
  ];
}
