import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers.js";
import { proveSandbox, runSandboxed, UNCONFINED_ENV } from "./index.js";

const isRoot = process.getuid?.() === 0;

/**
 * The escapes a hostile skill found when hob runs as root (containers, VPSes, CI), and
 * their relatives. CI runs as root, so these run there; as a normal user the host uid
 * is the user's own and the root-only parts are skipped.
 */
describe("the OS sandbox is unprivileged, even when hob runs as root", () => {
  let base: string;
  let cleanup: () => void;
  let ws: string;
  beforeEach(() => {
    ({ home: base, cleanup } = tempHome());
    ws = join(base, "ws");
    mkdirSync(ws);
  });
  afterEach(() => cleanup());
  const python = (code: string, extra: Partial<Parameters<typeof runSandboxed>[0]> = {}) =>
    runSandboxed({ command: "python3", args: ["-c", code], workspace: ws, timeoutMs: 15_000, ...extra });

  it("runs as a host uid that is not root, and still writes the root-owned workspace", async () => {
    writeFileSync(join(ws, "existing.txt"), "old\n");
    const marker = `${Math.floor(Math.random() * 1e6)}.4343`;
    const running = runSandboxed({
      command: "/bin/sh",
      args: ["-c", `echo new >> existing.txt; echo x > made.txt; sleep ${marker}`],
      workspace: ws,
      timeoutMs: 3_000,
    });
    // Seen from the host, as the kernel sees it (inside, bubblewrap's nested namespaces renumber it).
    let hostUids: number[] = [];
    for (let i = 0; i < 50 && hostUids.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const pids = spawnSync("pgrep", ["-f", `^sleep ${marker}`], { encoding: "utf8" })
        .stdout.split("\n")
        .filter(Boolean);
      hostUids = pids.map((pid) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]));
    }
    const result = await running;
    expect(hostUids.length).toBeGreaterThan(0);
    for (const uid of hostUids) expect(uid).toBe(result.hostUid);
    if (isRoot) expect(result.hostUid).not.toBe(0);
    expect(readFileSync(join(ws, "existing.txt"), "utf8")).toBe("old\nnew\n");
    // What the sandbox writes belongs to whoever runs hob, as before.
    expect(statSync(join(ws, "made.txt")).uid).toBe(process.getuid?.());
  });

  it("cannot open any kernel setting for writing (core_pattern, hostname, sysrq …)", async () => {
    const targets = [
      "/proc/sys/kernel/core_pattern",
      "/proc/sys/kernel/hostname",
      "/proc/sys/kernel/domainname",
      "/proc/sys/kernel/modprobe",
      "/proc/sys/kernel/sysrq",
      "/proc/sys/vm/drop_caches",
      "/proc/sys/fs/protected_symlinks",
      "/proc/sysrq-trigger",
    ];
    // O_WRONLY without O_TRUNC: if an open ever succeeded, nothing would have been written.
    const result = await python(`
import os
for path in ${JSON.stringify(targets)}:
    try:
        os.close(os.open(path, os.O_WRONLY)); print("WRITABLE", path)
    except OSError as e:
        print("refused", path, e.errno)
`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain("WRITABLE");
    expect(result.stdout.match(/^refused/gm)?.length).toBe(targets.length);
  });

  it("refuses the system calls a skill never needs (seccomp), with EPERM", async () => {
    const result = await python(`
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def call(name, *args):
    r = libc.syscall(*args); print(name, r, ctypes.get_errno())
call("mount", 165, b"none", b"/tmp", b"tmpfs", 0, None)
call("unshare-user", 272, 0x10000000)
call("unshare-mount", 272, 0x00020000)
call("ptrace", 101, 16, 1, 0, 0)
call("keyctl", 250, 0, 0, 0, 0)
call("bpf", 321, 0, 0, 0)
call("add_key", 248, b"user", b"x", b"y", 1, -4)
call("perf_event_open", 298, 0, 0, -1, -1, 0)
call("io_uring_setup", 425, 1, 0)
call("init_module", 175, 0, 0, b"")
call("kexec_load", 246, 0, 0, 0, 0)
call("userfaultfd", 323, 0)
call("open_tree", 428, -100, b"/", 1)
`);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(13);
    for (const line of lines) expect(line, line).toMatch(/ -1 1$/); // -1, errno 1 (EPERM)
  });

  it("cannot create set-user-ID or set-group-ID files in the workspace", async () => {
    const result = await python(`
import os, shutil
shutil.copy("/bin/true", "t"); shutil.copy("/bin/true", "u")
for name, fn in [("chmod", lambda: os.chmod("t", 0o4755)), ("chmod-g", lambda: os.chmod("t", 0o2755)),
                 ("fchmod", lambda: os.fchmod(os.open("u", os.O_RDONLY), 0o4755)),
                 ("create", lambda: os.close(os.open("v", os.O_CREAT | os.O_WRONLY, 0o4755)))]:
    try:
        fn(); print(name, "allowed")
    except OSError as e:
        print(name, "refused", e.errno)
`);
    expect(result.stdout).not.toContain("allowed");
    for (const name of ["t", "u"]) expect(statSync(join(ws, name)).mode & 0o6000).toBe(0);
    expect(existsSync(join(ws, "v"))).toBe(false);
  });

  it("bounds the memory of the whole run, not only of each process", async () => {
    // Four processes of 120 MB each under a 256 MB limit: per-process limits alone would allow all four.
    const result = await runSandboxed({
      command: "/bin/sh",
      args: [
        "-c",
        'for i in 1 2 3 4; do python3 -c \'import time; x = bytearray(120*1024*1024); x[::4096] = b"a" * len(x[::4096]); time.sleep(1.5); print("held")\' & done; wait',
      ],
      workspace: ws,
      memoryBytes: 256 * 1024 * 1024,
      timeoutMs: 20_000,
    });
    if (result.memoryLimit !== "cgroup") return; // documented: without a cgroup the bound is per process
    expect(result.stdout.match(/held/g)?.length ?? 0).toBeLessThan(4);
  });

  it("sizes its private /tmp", async () => {
    const result = await runSandboxed({
      command: "/bin/sh",
      args: ["-c", "head -c 64000000 /dev/zero > /tmp/fill; echo rc=$?; du -k /tmp/fill | cut -f1"],
      workspace: ws,
      tmpBytes: 8 * 1024 * 1024,
    });
    expect(result.stdout).toContain("rc=1");
    expect(Number(result.stdout.trim().split("\n").at(-1))).toBeLessThanOrEqual(8 * 1024);
  });

  it("refuses to run in a workspace that contains hob's own state, also behind a symlinked HOB_HOME", async () => {
    // Masking is not enough: a process that renames the folders around HOB_HOME swaps it whole.
    const realHome = join(ws, "dotfiles", "hob");
    mkdirSync(realHome, { recursive: true });
    writeFileSync(join(realHome, "hob.yaml"), "sandbox:\n  mode: bubblewrap\n");
    const linkedHome = join(base, "dot-hob");
    symlinkSync(realHome, linkedHome);
    for (const hobPaths of [[linkedHome], [join(linkedHome, "hob.yaml")], [join(ws, ".hob")]]) {
      await expect(
        runSandboxed({ command: "/bin/sh", args: ["-c", "mv dotfiles dotfiles-old"], workspace: ws, hobPaths }),
      ).rejects.toMatchObject({ code: "E_SANDBOX", message: expect.stringContaining("contains hob's own state") });
    }
    expect(existsSync(join(realHome, "hob.yaml"))).toBe(true);
  });

  it("cannot change git's control files, nor plant new ones that make git run code", async () => {
    mkdirSync(join(ws, "repo", ".git", "hooks"), { recursive: true });
    writeFileSync(join(ws, "repo", ".git", "config"), "[core]\n");
    mkdirSync(join(ws, "plain"));
    const result = await runSandboxed({
      command: "/bin/sh",
      args: [
        "-c",
        [
          "printf '[core]\\n\\tfsmonitor = touch /tmp/pwned\\n' >> repo/.git/config 2>/dev/null || echo config-refused",
          "echo 'touch /tmp/pwned' > repo/.git/hooks/pre-commit 2>/dev/null || echo hook-refused",
          "echo ../elsewhere > repo/.git/commondir 2>/dev/null || echo commondir-refused",
          "echo 'gitdir: ../evil' > plain/.git",
          "echo '* filter=evil' > plain/.gitattributes",
          "mkdir -p deep/.git && echo '[core]' > deep/.git/config",
        ].join("; "),
      ],
      workspace: ws,
    });
    expect(result.stdout).toContain("config-refused");
    expect(result.stdout).toContain("hook-refused");
    expect(result.stdout).toContain("commondir-refused");
    expect(readFileSync(join(ws, "repo", ".git", "config"), "utf8")).toBe("[core]\n");
    for (const planted of ["plain/.git", "plain/.gitattributes", "deep/.git"]) {
      expect(existsSync(join(ws, planted)), planted).toBe(false);
      expect(result.undone).toContain(planted);
    }
    expect(result.stderr).toContain("removed what the run did to git's control files");
  });

  it.runIf(isRoot)("says clearly when the workspace cannot be id-mapped for the unprivileged user", async () => {
    // procfs supports no id-mapped mounts: the set-up fails before anything runs.
    await expect(runSandboxed({ command: "/bin/true", workspace: "/proc/self" })).rejects.toMatchObject({
      code: "E_SANDBOX",
      message: expect.stringContaining("could not be set up"),
      hint: expect.stringContaining("id-mapped"),
    });
  });

  it("keeps a nested repository safe when its parent folder is renamed and a fresh .git is planted", async () => {
    mkdirSync(join(ws, "sub", ".git", "hooks"), { recursive: true });
    writeFileSync(join(ws, "sub", ".git", "config"), "[core]\n");
    writeFileSync(join(ws, "sub", "notes.txt"), "mine\n");
    const result = await runSandboxed({
      command: "/bin/sh",
      args: [
        "-c",
        "mv sub sub-moved && mkdir sub && cp -r sub-moved/.git sub/.git && printf '[core]\\n\\tfsmonitor = touch /tmp/pwned\\n' > sub/.git/config && echo planted",
      ],
      workspace: ws,
    });
    expect(result.stdout).toContain("planted");
    expect(existsSync(join(ws, "sub", ".git"))).toBe(false); // the fresh one is gone
    expect(result.undone).toEqual(["sub/.git"]);
    // The user's own repository moved with its folder and is intact: never deleted.
    expect(readFileSync(join(ws, "sub-moved", ".git", "config"), "utf8")).toBe("[core]\n");
    expect(result.moved).toEqual(["sub/.git -> sub-moved/.git"]);
  });

  it("guards repositories under any name: a folder with HEAD, objects/ and refs/", async () => {
    const bare = join(ws, "backup.git");
    mkdirSync(join(bare, "objects"), { recursive: true });
    mkdirSync(join(bare, "refs"));
    writeFileSync(join(bare, "HEAD"), "ref: refs/heads/main\n");
    writeFileSync(join(bare, "config"), "[core]\n\tbare = true\n");
    const result = await runSandboxed({
      command: "/bin/sh",
      args: [
        "-c",
        [
          "echo '[core] fsmonitor = x' >> backup.git/config 2>/dev/null || echo bare-refused",
          "mkdir -p new-repo/objects new-repo/refs && echo 'ref: x' > new-repo/HEAD && echo '[core]' > new-repo/config",
          "ln -s backup.git .git2 && echo linked",
        ].join("; "),
      ],
      workspace: ws,
    });
    expect(result.stdout).toContain("bare-refused");
    expect(readFileSync(join(bare, "config"), "utf8")).toBe("[core]\n\tbare = true\n");
    expect(existsSync(join(ws, "new-repo"))).toBe(false);
    expect(result.undone).toContain("new-repo");
  });

  it("fails closed when the workspace is too large to check", async () => {
    for (let i = 0; i < 30; i++) writeFileSync(join(ws, `f${i}`), "");
    await expect(runSandboxed({ command: "true", workspace: ws, maxGuardEntries: 20 })).rejects.toMatchObject({
      code: "E_SANDBOX",
      message: expect.stringContaining("more than 20 entries"),
    });
    // Grown past the bound during the run: reported unchecked, loudly, not silently passed.
    const grown = await runSandboxed({
      command: "/bin/sh",
      args: ["-c", "for i in $(seq 1 40); do : > g$i; done; mkdir -p z && echo 'gitdir: x' > z/.git"],
      workspace: ws,
      maxGuardEntries: 50,
    });
    expect(grown.unchecked).toBe(true);
    expect(grown.stderr).toContain("do not run git there before checking");
  });

  it("never runs unconfined because of a config file alone", async () => {
    const previous = process.env[UNCONFINED_ENV];
    delete process.env[UNCONFINED_ENV];
    try {
      await expect(runSandboxed({ command: "true", workspace: ws, mode: "none" })).rejects.toMatchObject({
        code: "E_SANDBOX",
        message: expect.stringContaining(UNCONFINED_ENV),
      });
    } finally {
      if (previous !== undefined) process.env[UNCONFINED_ENV] = previous;
    }
  });

  it("is proven unprivileged on this machine before unapproved code may run in it", async () => {
    const proof = await proveSandbox();
    expect(proof).toEqual({ proven: true });
    expect(await proveSandbox("none")).toMatchObject({ proven: false });
  });
});
