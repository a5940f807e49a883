import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A per-run process limit. RLIMIT_NPROC does not bind a sandbox whose user maps to
 * real root (the kernel exempts root), so when hob runs as root it uses a `pids`
 * cgroup instead; for everyone else RLIMIT_NPROC (set by prlimit inside) works.
 */
export interface PidsLimit {
  mechanism: "cgroup" | "rlimit";
  /** Shell prefix that moves the spawning shell into the cgroup before exec. */
  enterCommand?: string;
  /** Kills whatever is left in the cgroup and removes it. */
  dispose(): void;
}

const CGROUP_ROOTS = ["/sys/fs/cgroup/pids", "/sys/fs/cgroup"];

export function createPidsLimit(max: number, id: string): PidsLimit {
  if (process.getuid?.() === 0) {
    for (const root of CGROUP_ROOTS) {
      const dir = join(root, `hob-${id}`);
      try {
        mkdirSync(dir);
        writeFileSync(join(dir, "pids.max"), String(max));
        return {
          mechanism: "cgroup",
          enterCommand: `echo $$ > ${join(dir, "cgroup.procs")}`,
          dispose: () => {
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
              // The cgroup empties itself once its processes are reaped; a leftover
              // empty directory is harmless and has a unique name.
            }
          },
        };
      } catch {
        // not writable or not a pids hierarchy: try the next root, then fall back
      }
    }
  }
  return { mechanism: "rlimit", dispose: () => undefined };
}
