/**
 * When hob runs as root, the sandboxed process must not be host root: a user namespace
 * that maps the sandbox user to uid 0 lets it write every root-owned file it can see
 * (/proc/sys, core_pattern …) without any capability. So, as root, hob runs bubblewrap
 * as a dedicated unprivileged host uid instead. That uid cannot write the root-owned
 * workspace, so the workspace is given to it through an id-mapped mount (Linux ≥ 5.12):
 * inside that one mount, files owned by root look owned by the sandbox uid, and what it
 * writes lands on disk owned by root, as before. Nowhere else does it own anything.
 *
 * Node cannot make the mount system calls, so this small Python program (the standard
 * `python3`, no packages) does it, as root, in a private mount namespace that dies with
 * it: it mounts the workspace (id-mapped, nosuid, nodev) and the other read-only sources
 * into a staging folder, drops to the sandbox uid for good (no groups, no capabilities),
 * and execs bubblewrap. Mounts never show in the host's namespace.
 *
 * argv[1] is JSON: { uid, workspace, stage, binds: [{ source, target, rw, owned }], argv: [bwrap, …] };
 * a bind with `rw` is id-mapped like the workspace, one with `owned` id-mapped and read-only, the
 * others plainly read-only.
 */
export const ROOT_HELPER = String.raw`
import ctypes, json, os, sys
spec = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
def fail(what):
    err = ctypes.get_errno()
    sys.stderr.write("hob sandbox: %s failed: %s\n" % (what, os.strerror(err)))
    sys.exit(125)
def check(result, what):
    if result < 0: fail(what)
    return result
# open_tree, move_mount and mount_setattr came after the syscall tables were unified: the same numbers everywhere.
NR = (428, 429, 442)
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_REC, MS_PRIVATE, MS_BIND, MS_RDONLY, MS_REMOUNT, MS_NOSUID, MS_NODEV = 0x4000, 0x40000, 0x1000, 1, 32, 2, 4
OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC, AT_EMPTY_PATH, MOVE_MOUNT_F_EMPTY_PATH = 1, 0o2000000, 0x1000, 4
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_IDMAP = 1, 2, 4, 0x100000
class MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]
uid = int(spec["uid"])
check(libc.unshare(CLONE_NEWNS), "unshare(mount namespace)")
check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "making mounts private")
# A user namespace whose map says "root is the sandbox uid": the id-mapping of the workspace.
ready_r, ready_w = os.pipe()
go_r, go_w = os.pipe()
child = os.fork()
if child == 0:
    os.close(ready_r); os.close(go_w)
    ok = libc.unshare(CLONE_NEWUSER) == 0
    os.write(ready_w, b"1" if ok else b"0")
    os.read(go_r, 1)
    os._exit(0)
os.close(ready_w); os.close(go_r)
if os.read(ready_r, 1) != b"1":
    sys.stderr.write("hob sandbox: cannot create a user namespace for the id-mapped workspace\n"); sys.exit(125)
for name, text in (("uid_map", "0 %d 1\n" % uid), ("setgroups", "deny"), ("gid_map", "0 %d 1\n" % uid)):
    with open("/proc/%d/%s" % (child, name), "w") as f: f.write(text)
userns = os.open("/proc/%d/ns/user" % child, os.O_RDONLY)
def attach(source, target, attrs, userns_fd=0):
    fd = check(libc.syscall(NR[0], -100, source.encode(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC), "open_tree " + source)
    attr = MountAttr(attrs, 0, 0, userns_fd)
    check(libc.syscall(NR[2], fd, b"", AT_EMPTY_PATH, ctypes.byref(attr), ctypes.sizeof(attr)), "mount_setattr " + source)
    check(libc.syscall(NR[1], fd, b"", -100, target.encode(), MOVE_MOUNT_F_EMPTY_PATH), "move_mount " + target)
    os.close(fd)
attach(spec["workspace"], os.path.join(spec["stage"], "workspace"), MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, userns)
for i, bind in enumerate(spec["binds"]):
    if bind.get("rw"):
        attach(bind["source"], os.path.join(spec["stage"], "ro%d" % i), MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, userns)
    elif bind.get("owned"):
        attach(bind["source"], os.path.join(spec["stage"], "ro%d" % i), MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, userns)
    else:
        attach(bind["source"], os.path.join(spec["stage"], "ro%d" % i), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
os.write(go_w, b"x"); os.waitpid(child, 0); os.close(userns)
# For good: no groups, then gid, then uid (which clears every capability).
os.setgroups([])
os.setresgid(uid, uid, uid)
os.setresuid(uid, uid, uid)
if os.getuid() == 0 or os.geteuid() == 0: sys.exit(125)
os.execv(spec["argv"][0], spec["argv"])
`;
