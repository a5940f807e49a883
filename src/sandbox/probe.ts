import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSandboxed } from "./process.js";

export interface SandboxProof {
  proven: boolean;
  /** Why not, when it is not. */
  reason?: string;
}

let cached: Promise<SandboxProof> | undefined;

/**
 * Code nobody has approved yet (a model's proposed skill and its tests) runs only in a
 * sandbox shown, on this machine, to be unprivileged: bubblewrap, a host uid that is not
 * root, the seccomp filter loaded, and the kernel's global settings not writable (an
 * open for writing of /proc/sys/kernel/core_pattern is refused; opening writes nothing).
 * Checked once per process by running a probe inside it.
 */
export function proveSandbox(mode: "bubblewrap" | "none" = "bubblewrap"): Promise<SandboxProof> {
  if (mode === "none") return Promise.resolve({ proven: false, reason: "sandbox.mode is none" });
  cached ??= probe();
  return cached;
}

async function probe(): Promise<SandboxProof> {
  const scratch = mkdtempSync(join(tmpdir(), "hob-probe-"));
  try {
    const result = await runSandboxed({
      command: "/bin/sh",
      args: [
        "-c",
        "grep -q '^Seccomp:[[:space:]]*2' /proc/self/status && echo seccomp; (exec 3<> /proc/sys/kernel/core_pattern) 2>/dev/null && echo sysctl-writable; true",
      ],
      workspace: scratch,
      timeoutMs: 10_000,
    });
    if (result.hostUid === 0) return { proven: false, reason: "the sandboxed process would be host root" };
    if (!result.seccomp || !result.stdout.includes("seccomp"))
      return { proven: false, reason: "no seccomp filter on this architecture" };
    if (result.stdout.includes("sysctl-writable"))
      return { proven: false, reason: "kernel settings under /proc/sys are writable from the sandbox" };
    return { proven: true };
  } catch (error) {
    return { proven: false, reason: (error as Error).message };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
