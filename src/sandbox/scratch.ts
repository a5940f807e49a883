import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Temporary files of one run: the seccomp program and, as root, the staging folder for mounts. */
export class Scratch {
  private dir: string | undefined;
  private fds: number[] = [];

  private base(): string {
    if (!this.dir) {
      this.dir = mkdtempSync(join(tmpdir(), "hob-sandbox-"));
      // The unprivileged sandbox uid must traverse it to reach the staged mounts; nothing more.
      chmodSync(this.dir, 0o711);
    }
    return this.dir;
  }

  /** Empty mount points (workspace, ro0, ro1 …); the mounts exist only in the helper's namespace. */
  stage(readOnly: number): string {
    const stage = join(this.base(), "stage");
    mkdirSync(stage, { mode: 0o711 });
    mkdirSync(join(stage, "workspace"));
    for (let i = 0; i < readOnly; i++) mkdirSync(join(stage, `ro${i}`));
    return stage;
  }

  seccomp(program: Buffer): number {
    const path = join(this.base(), "seccomp.bpf");
    writeFileSync(path, program, { mode: 0o600 });
    const fd = openSync(path, "r");
    this.fds.push(fd);
    return fd;
  }

  dispose(): void {
    for (const fd of this.fds) closeSync(fd);
    this.fds = [];
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
