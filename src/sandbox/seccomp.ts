/**
 * A seccomp filter for sandboxed processes, as classic BPF that bubblewrap loads with
 * `--seccomp FD` right before it runs the command. The namespaces and the dropped
 * capabilities already stop most of these calls; the filter is the second wall, the
 * approach of Anthropic's sandbox-runtime and Codex: the kernel refuses, up front,
 * the system calls a skill never needs (mounting, tracing, kernel keyrings, BPF,
 * new namespaces, module loading, kexec, io_uring that bypasses these checks …),
 * and any attempt to create set-user-ID or set-group-ID files, which through the
 * root sandbox's id-mapped workspace would land on disk as setuid-root programs.
 *
 * Only x86_64 and aarch64 are described; elsewhere `seccompProgram` returns null and
 * the caller says so (the namespaces still hold).
 */

const EPERM = 1;
const ENOSYS = 38;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
const RET_KILL_PROCESS = 0x80000000;

// Classic BPF opcodes used here.
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;

/** Offsets in `struct seccomp_data`: nr, arch, then six 64-bit arguments from byte 16. */
const NR = 0;
const ARCH = 4;
const argLow = (index: number) => 16 + index * 8;

const SETID_BITS = 0o6000; // S_ISUID | S_ISGID
/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME. */
const NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80;
const TIOCSTI = 0x5412; // pushes characters into the terminal's input: keystroke injection
const TIOCLINUX = 0x541c;

interface ArchTable {
  audit: number;
  /** Refused outright with EPERM. */
  denied: Record<string, number>;
  /** Refused when the mode argument (index) carries set-id bits. */
  modeChecked: Array<{ name: string; nr: number; arg: number }>;
  clone: number;
  clone3: number;
  ioctl: number;
  /** x86_64's x32 ABI numbers start here; they would dodge the table. */
  x32Base?: number;
}

// Syscalls no skill needs, common to both tables (numbers differ per architecture).
const X86_64: ArchTable = {
  audit: 0xc000003e,
  denied: {
    ptrace: 101,
    process_vm_readv: 310,
    process_vm_writev: 311,
    mount: 165,
    umount2: 166,
    pivot_root: 155,
    chroot: 161,
    swapon: 167,
    swapoff: 168,
    reboot: 169,
    kexec_load: 246,
    kexec_file_load: 320,
    init_module: 175,
    finit_module: 313,
    delete_module: 176,
    bpf: 321,
    perf_event_open: 298,
    keyctl: 250,
    add_key: 248,
    request_key: 249,
    unshare: 272,
    setns: 308,
    syslog: 103,
    acct: 163,
    settimeofday: 164,
    clock_settime: 227,
    clock_adjtime: 305,
    adjtimex: 159,
    iopl: 172,
    ioperm: 173,
    open_by_handle_at: 304,
    name_to_handle_at: 303,
    userfaultfd: 323,
    quotactl: 179,
    vhangup: 153,
    uselib: 134,
    lookup_dcookie: 212,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    mknod: 133,
    mknodat: 259,
    setxattr: 188,
    lsetxattr: 189,
    fsetxattr: 190,
    removexattr: 197,
    lremovexattr: 198,
    fremovexattr: 199,
    setxattrat: 463,
    removexattrat: 466,
    // The mode of openat2 hides in a struct the filter cannot read: callers fall back to openat.
    openat2: 437,
  },
  modeChecked: [
    { name: "chmod", nr: 90, arg: 1 },
    { name: "fchmod", nr: 91, arg: 1 },
    { name: "fchmodat", nr: 268, arg: 2 },
    { name: "fchmodat2", nr: 452, arg: 2 },
    { name: "open", nr: 2, arg: 2 },
    { name: "openat", nr: 257, arg: 3 },
    { name: "creat", nr: 85, arg: 1 },
  ],
  clone: 56,
  clone3: 435,
  ioctl: 16,
  x32Base: 0x40000000,
};

const AARCH64: ArchTable = {
  audit: 0xc00000b7,
  denied: {
    ptrace: 117,
    process_vm_readv: 270,
    process_vm_writev: 271,
    mount: 40,
    umount2: 39,
    pivot_root: 41,
    chroot: 51,
    swapon: 224,
    swapoff: 225,
    reboot: 142,
    kexec_load: 104,
    kexec_file_load: 294,
    init_module: 105,
    finit_module: 273,
    delete_module: 106,
    bpf: 280,
    perf_event_open: 241,
    keyctl: 219,
    add_key: 217,
    request_key: 218,
    unshare: 97,
    setns: 268,
    syslog: 116,
    acct: 89,
    settimeofday: 170,
    clock_settime: 112,
    clock_adjtime: 266,
    adjtimex: 171,
    open_by_handle_at: 265,
    name_to_handle_at: 264,
    userfaultfd: 282,
    quotactl: 60,
    vhangup: 58,
    lookup_dcookie: 18,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    mknodat: 33,
    setxattr: 5,
    lsetxattr: 6,
    fsetxattr: 7,
    removexattr: 14,
    lremovexattr: 15,
    fremovexattr: 16,
    setxattrat: 463,
    removexattrat: 466,
    openat2: 437,
  },
  modeChecked: [
    { name: "fchmod", nr: 52, arg: 1 },
    { name: "fchmodat", nr: 53, arg: 2 },
    { name: "fchmodat2", nr: 452, arg: 2 },
    { name: "openat", nr: 56, arg: 3 },
  ],
  clone: 220,
  clone3: 435,
  ioctl: 29,
};

const TABLES: Record<string, ArchTable> = { x64: X86_64, arm64: AARCH64 };

/** The system calls the filter refuses on this machine's architecture (for tests and docs). */
export function deniedSyscalls(arch: string = process.arch): Record<string, number> | null {
  return TABLES[arch]?.denied ?? null;
}

type Target = number | string; // an instruction index offset label
interface Instruction {
  code: number;
  k: number;
  jt?: Target;
  jf?: Target;
  label?: string;
}

/** The filter as bytes (an array of `struct sock_filter`), or null on an unknown architecture. */
export function seccompProgram(arch: string = process.arch): Buffer | null {
  const table = TABLES[arch];
  if (!table) return null;
  const program: Instruction[] = [
    { code: LD_W_ABS, k: ARCH },
    { code: JEQ_K, k: table.audit, jt: 0, jf: "kill" },
    { code: LD_W_ABS, k: NR },
  ];
  if (table.x32Base !== undefined) program.push({ code: JGE_K, k: table.x32Base, jt: "deny", jf: 0 });
  for (const nr of Object.values(table.denied)) program.push({ code: JEQ_K, k: nr, jt: "deny", jf: 0 });
  // glibc and others fall back to clone() when clone3() is "not implemented"; clone's flags are checkable.
  program.push({ code: JEQ_K, k: table.clone3, jt: "enosys", jf: 0 });
  program.push({ code: JEQ_K, k: table.clone, jt: "clone", jf: 0 });
  program.push({ code: JEQ_K, k: table.ioctl, jt: "ioctl", jf: 0 });
  for (const call of table.modeChecked) program.push({ code: JEQ_K, k: call.nr, jt: `mode-${call.name}`, jf: 0 });
  program.push({ code: RET_K, k: RET_ALLOW });
  for (const call of table.modeChecked) {
    program.push({ code: LD_W_ABS, k: argLow(call.arg), label: `mode-${call.name}` });
    program.push({ code: JSET_K, k: SETID_BITS, jt: "deny", jf: "allow" });
  }
  program.push({ code: LD_W_ABS, k: argLow(0), label: "clone" });
  program.push({ code: JSET_K, k: NAMESPACE_FLAGS, jt: "deny", jf: "allow" });
  program.push({ code: LD_W_ABS, k: argLow(1), label: "ioctl" });
  program.push({ code: JEQ_K, k: TIOCSTI, jt: "deny", jf: 0 });
  program.push({ code: JEQ_K, k: TIOCLINUX, jt: "deny", jf: "allow" });
  program.push({ code: RET_K, k: RET_ALLOW, label: "allow" });
  program.push({ code: RET_K, k: RET_ERRNO | EPERM, label: "deny" });
  program.push({ code: RET_K, k: RET_ERRNO | ENOSYS, label: "enosys" });
  program.push({ code: RET_K, k: RET_KILL_PROCESS, label: "kill" });
  return assemble(program);
}

function assemble(program: Instruction[]): Buffer {
  const labels = new Map<string, number>();
  program.forEach((instruction, index) => {
    if (instruction.label) labels.set(instruction.label, index);
  });
  const offset = (from: number, target: Target | undefined): number => {
    if (target === undefined || typeof target === "number") return target ?? 0;
    const to = labels.get(target);
    if (to === undefined) throw new Error(`seccomp: no label ${target}`);
    const jump = to - from - 1;
    if (jump < 0 || jump > 255) throw new Error(`seccomp: jump to ${target} out of range`);
    return jump;
  };
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach((instruction, index) => {
    bytes.writeUInt16LE(instruction.code, index * 8);
    bytes.writeUInt8(offset(index, instruction.jt), index * 8 + 2);
    bytes.writeUInt8(offset(index, instruction.jf), index * 8 + 3);
    bytes.writeUInt32LE(instruction.k >>> 0, index * 8 + 4);
  });
  return bytes;
}
