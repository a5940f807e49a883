import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Per-run limits on the number of processes and on the memory of the whole sandbox.
 * Per-process rlimits alone do not bound the total: 64 processes × 512 MB each is
 * 32 GB. So, where hob may create cgroups (as root), each run gets its own `pids` and
 * `memory` cgroup (v1 hierarchies or the v2 unified one), which bound everything the
 * run starts, together. Elsewhere the rlimits set by prlimit inside are all there is;
 * `mechanism` and `memory` say which applies, and the result reports them.
 */
export interface ResourceLimits {
  mechanism: "cgroup" | "rlimit";
  memory: "cgroup" | "rlimit";
  /** Shell prefix that moves the spawning shell into the cgroups before exec. */
  enterCommand?: string;
  /** Kills whatever is left in the cgroups and removes them. */
  dispose(): void;
}

interface Group {
  dir: string;
}

/** Our own path in a v1 hierarchy (so a child group stays under whatever bounds hob itself). */
function ownPath(controller: string): string {
  try {
    for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
      const [, controllers, path] = line.split(":");
      if (controllers?.split(",").includes(controller)) return path ?? "/";
    }
  } catch {
    // no /proc: no cgroups either
  }
  return "/";
}

function tryCreate(dir: string, files: Record<string, string>): Group | undefined {
  try {
    mkdirSync(dir);
  } catch {
    return undefined;
  }
  try {
    for (const [file, value] of Object.entries(files)) writeFileSync(join(dir, file), value);
    return { dir };
  } catch {
    rmdirSync(dir);
    return undefined;
  }
}

function pidsGroup(max: number, name: string): Group | undefined {
  const v1 = "/sys/fs/cgroup/pids";
  return existsSync(v1) ? tryCreate(join(v1, ownPath("pids"), name), { "pids.max": String(max) }) : undefined;
}

function memoryGroup(bytes: number, name: string): Group | undefined {
  const v1 = "/sys/fs/cgroup/memory";
  if (existsSync(v1)) {
    const dir = join(v1, ownPath("memory"), name);
    const group = tryCreate(dir, { "memory.limit_in_bytes": String(bytes) });
    // Swap counts too where the kernel accounts it; where it does not, the file is absent.
    if (group && existsSync(join(dir, "memory.memsw.limit_in_bytes")))
      writeFileSync(join(dir, "memory.memsw.limit_in_bytes"), String(bytes));
    return group;
  }
  return undefined;
}

function dispose(groups: Group[]): void {
  for (const { dir } of groups) {
    try {
      for (const pid of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
      rmdirSync(dir);
    } catch {
      // The cgroup empties itself once its processes are reaped; a leftover empty
      // directory is harmless and has a unique name.
    }
  }
}

export function createResourceLimits(maxProcesses: number, memoryBytes: number, id: string): ResourceLimits {
  if (process.getuid?.() !== 0) return { mechanism: "rlimit", memory: "rlimit", dispose: () => undefined };
  const name = `hob-${id}`;
  let pids: Group | undefined;
  let memory: Group | undefined;
  if (existsSync("/sys/fs/cgroup/pids") || existsSync("/sys/fs/cgroup/memory")) {
    pids = pidsGroup(maxProcesses, name);
    memory = memoryGroup(memoryBytes, name);
  } else {
    // cgroup v2: one process lives in one group, so both limits share it.
    const both = { "pids.max": String(maxProcesses), "memory.max": String(memoryBytes), "memory.swap.max": "0" };
    memory = tryCreate(join("/sys/fs/cgroup", name), both);
    pids = memory ?? tryCreate(join("/sys/fs/cgroup", name), { "pids.max": String(maxProcesses) });
  }
  const groups = [...new Set([pids, memory])].filter((group): group is Group => group !== undefined);
  return {
    mechanism: pids ? "cgroup" : "rlimit",
    memory: memory ? "cgroup" : "rlimit",
    enterCommand:
      groups.length > 0
        ? groups.map((group) => `echo $$ > ${join(group.dir, "cgroup.procs")}`).join(" && ")
        : undefined,
    dispose: () => dispose(groups),
  };
}
