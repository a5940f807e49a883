import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HobError } from "../errors/index.js";
import { runSandboxed } from "../sandbox/index.js";
import type { ScanResult } from "./findings.js";

/**
 * Walks Python's own syntax tree (`ast`). It runs inside the OS sandbox: parsing
 * untrusted code is still running a program on it, and nothing of that runs unconfined.
 */
const SCANNER = `
import ast, json, re, sys
src = sys.stdin.read()
out = {"hits": [], "strings": []}
try:
    tree = ast.parse(src)
except SyntaxError:
    print(json.dumps(out)); sys.exit(0)
NET = {"socket", "urllib", "urllib2", "urllib3", "http", "requests", "httpx", "aiohttp", "ftplib", "smtplib", "telnetlib", "paramiko", "websocket", "websockets", "ssl", "xmlrpc"}
PROC = {"subprocess", "pty", "multiprocessing", "pexpect", "sh"}
OS_PROC = {"system", "popen", "execv", "execve", "execl", "execle", "execlp", "execvp", "execvpe", "spawnl", "spawnv", "spawnve", "fork", "forkpty", "posix_spawn"}
DYN = {"eval", "exec", "compile", "__import__"}
DECODE = {"b64decode", "b32decode", "b16decode", "a85decode", "b85decode", "decompress", "loads", "unhexlify", "fromhex", "decode"}
SECRET = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)", re.I)
def hit(rule, node, detail):
    out["hits"].append({"rule": rule, "line": getattr(node, "lineno", 0), "detail": str(detail)[:80]})
def dotted(node):
    if isinstance(node, ast.Name): return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return base + "." + node.attr if base else node.attr
    return ""
def module(name, node):
    root = (name or "").split(".")[0]
    if root in NET: hit("network-library", node, name)
    if root in PROC or (name or "").startswith("mcp.client.stdio"): hit("process-spawn", node, name)
    if root in ("ctypes", "cffi"): hit("native-code", node, name)
# In f"{tmp}/x" the "/x" follows a value: marked with "$" like a shell variable, it is no absolute path.
AFTER_VALUE = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values[1:]}
for node in ast.walk(tree):
    if isinstance(node, ast.Import):
        for alias in node.names: module(alias.name, node)
    elif isinstance(node, ast.ImportFrom):
        module(node.module, node)
    elif isinstance(node, ast.Call):
        name = dotted(node.func); last = name.split(".")[-1]
        if last in DYN and name in (last, "builtins." + last):
            decoded = any(isinstance(n, ast.Call) and dotted(n.func).split(".")[-1] in DECODE for n in ast.walk(node) if n is not node)
            hit("obfuscated-exec" if decoded else "dynamic-code", node, name)
        if name.startswith("os.") and last in OS_PROC: hit("process-spawn", node, name)
        if name in ("getattr", "importlib.import_module"): hit("dynamic-code", node, name)
        if name in ("os.getenv", "os.environ.get") and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str) and SECRET.search(node.args[0].value):
            hit("secret-env", node, node.args[0].value)
    elif isinstance(node, ast.Subscript) and dotted(node.value) == "os.environ":
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and SECRET.search(key.value): hit("secret-env", node, key.value)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        value = ("$" if id(node) in AFTER_VALUE else "") + node.value[:500]
        out["strings"].append({"value": value, "line": node.lineno})
print(json.dumps(out))
`;

export async function scanPython(code: string, mode: "bubblewrap" | "none" = "bubblewrap"): Promise<ScanResult> {
  const scratch = mkdtempSync(join(tmpdir(), "hob-scan-"));
  try {
    const result = await runSandboxed({
      command: "python3",
      args: ["-c", SCANNER],
      workspace: scratch,
      stdin: code,
      timeoutMs: 15_000,
      mode,
    });
    if (result.exitCode !== 0) {
      throw new HobError("E_VALIDATION", `The Python scanner failed: ${result.stderr.slice(0, 300)}`);
    }
    return JSON.parse(result.stdout) as ScanResult;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
