import { readdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

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

/** Files and folders of HOB_HOME that hob itself reads or writes (besides config, database, agents, skills). */
const HOB_HOME_STATE = [
  "web.token", // the web API's bearer token: whoever reads it controls hob
  "serve.env", // the service's environment (may hold keys; its values override hob.yaml)
  "logs",
  "managed.lock",
  "serve.lock",
  "improve.lock",
  "memory",
  "config-cache.json", // the validated config, so a start need not parse the YAML files again
];

/**
 * hob's own state, kept out of reach of agents and skills even if a workspace contains
 * HOB_HOME: its config, database, router config, agents and skills, the managed repository
 * (changed only by applying an approved proposal), the web token, the service environment,
 * logs and locks, and whatever else HOB_HOME holds now, except the workspace itself. (HOB_HOME
 * itself is not listed: the default workspace lies inside it.)
 */
export function hobStatePaths(paths: HobPaths): string[] {
  const { home, configFile, database, managedRepo, workspace } = paths;
  const listed = [
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
    ...HOB_HOME_STATE.map((name) => join(home, name)),
  ];
  // Anything else in HOB_HOME today (files of later versions, a user's notes) that does not
  // contain the workspace: protected by default rather than by name.
  let present: string[] = [];
  try {
    present = readdirSync(home)
      .map((name) => join(home, name))
      .filter((entry) => !isInsideOrSame(workspace, entry));
  } catch {
    // No HOB_HOME yet: nothing more to protect.
  }
  return [...new Set([...listed, ...present])];
}

function isInsideOrSame(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
