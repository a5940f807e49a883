import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers.js";
import { runSandboxed } from "./index.js";

/** Hostile commands must each be blocked or contained by the OS sandbox (bubblewrap). */
describe("runSandboxed against hostile commands", () => {
  let base: string;
  let cleanup: () => void;
  let ws: string;
  beforeEach(() => {
    ({ home: base, cleanup } = tempHome());
    ws = join(base, "ws");
    mkdirSync(ws);
  });
  afterEach(() => cleanup());
  const sh = (script: string, extra: Partial<Parameters<typeof runSandboxed>[0]> = {}) =>
    runSandboxed({ command: "/bin/sh", args: ["-c", script], workspace: ws, timeoutMs: 10_000, ...extra });

  it("runs an ordinary command with only the workspace writable", async () => {
    const result = await sh("echo hello > /workspace/out.txt && cat out.txt && id -u");
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, isolation: "bubblewrap" });
    expect(result.stdout).toBe("hello\n65534\n");
    expect(readFileSync(join(ws, "out.txt"), "utf8")).toBe("hello\n");
  });

  it("has no network: no connection reaches a server on the host, by any route", async () => {
    const server = createServer((socket) => socket.end("leak"));
    let connections = 0;
    server.on("connection", () => connections++);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    try {
      const routes = [
        `(echo x > /dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo bash-tcp-ok`,
        `python3 -c "import socket; socket.create_connection(('127.0.0.1', ${port}), 2)" 2>/dev/null && echo python-ok`,
        `python3 -c "import socket; socket.getaddrinfo('example.com', 80)" 2>/dev/null && echo dns-ok`,
        "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '",
      ];
      const result = await runSandboxed({ command: "/bin/bash", args: ["-c", routes.join("; ")], workspace: ws });
      expect(result.stdout).toBe("lo\n");
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it("cannot read secrets: no keys in the environment, no real HOME, no other users' or system files", async () => {
    const secretHome = join(base, "home");
    mkdirSync(join(secretHome, ".ssh"), { recursive: true });
    writeFileSync(join(secretHome, ".ssh", "id_ed25519"), "PRIVATE-KEY");
    const result = await sh(
      `env | sort; echo ---; cat ${join(secretHome, ".ssh", "id_ed25519")} 2>&1; cat /etc/shadow 2>&1; cat /etc/passwd 2>&1; ls /root /home 2>&1; cat /proc/1/environ 2>&1 | tr '\\0' ' '`,
      { env: { SKILL_INPUT: "x" } },
    );
    expect(process.env.PATH).toBeDefined();
    expect(result.stdout).not.toContain("PRIVATE-KEY");
    expect(result.stdout).not.toMatch(/ANTHROPIC|OLLAMA|HOB_HOME|NO_COLOR/);
    expect(result.stdout).toContain("HOME=/tmp");
    expect(result.stdout).toContain("SKILL_INPUT=x");
    expect(result.stdout.match(/No such file or directory/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it("cannot write outside the workspace; its /tmp is private", async () => {
    const marker = `hob-tmp-${Date.now()}`;
    const result = await sh(
      `touch /usr/pwned 2>&1; touch /etc/pwned 2>&1; echo x > /tmp/${marker} && echo tmp-ok; touch ${base}/pwned 2>&1`,
    );
    expect(result.stdout).toContain("tmp-ok");
    expect(result.stdout).toMatch(/Read-only file system/);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(existsSync(join(base, "pwned"))).toBe(false);
  });

  it("contains a process explosion at the process limit", async () => {
    // A bounded fork storm (500 children): safe to run even where a limit would fail.
    const result = await runSandboxed({
      command: "/bin/bash",
      args: [
        "-c",
        "ok=0; for i in $(seq 1 500); do (sleep 2 &) 2>/dev/null && ok=$((ok+1)); done; echo $(ls /proc | grep -c '^[0-9]')",
      ],
      workspace: ws,
      maxProcesses: 32,
      timeoutMs: 6_000,
    });
    const running = Number(result.stdout.trim().split("\n").at(-1));
    expect(running).toBeLessThanOrEqual(32);
  });

  it("stops a memory hog", async () => {
    const result = await runSandboxed({
      command: "python3",
      args: ["-c", "x = bytearray(2 * 1024 * 1024 * 1024); print('allocated')"],
      workspace: ws,
      memoryBytes: 256 * 1024 * 1024,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).not.toContain("allocated");
    expect(result.stderr).toContain("MemoryError");
  });

  it("stops an output flood at the size limit", async () => {
    const result = await runSandboxed({ command: "yes", workspace: ws, maxOutputBytes: 100_000 });
    expect(result.outputLimited).toBe(true);
    expect(result.stdout.length).toBe(100_000);
  });

  it("kills a loop that ignores SIGTERM, and everything it left running, at the time limit", async () => {
    const marker = `${Math.floor(Math.random() * 1e6)}.4242`;
    const result = await sh(`sleep ${marker} & (sleep ${marker} &); trap '' TERM; while :; do :; done`, {
      timeoutMs: 1_000,
    });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGKILL");
    expect(result.durationMs).toBeLessThan(4_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(() => execFileSync("pgrep", ["-f", `sleep ${marker}`])).toThrow(); // pgrep exits 1: none left
  });

  it("leaves no background process behind after a normal exit", async () => {
    const marker = `${Math.floor(Math.random() * 1e6)}.2424`;
    const result = await sh(`sleep ${marker} & echo started`);
    expect(result.stdout).toBe("started\n");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(() => execFileSync("pgrep", ["-f", `sleep ${marker}`])).toThrow();
  });

  it("passes arguments as arguments: no shell expansion, no option injection into bubblewrap", async () => {
    const result = await runSandboxed({
      command: "/bin/sh",
      args: [
        "-c",
        'printf "%s|" "$@"',
        "_",
        "$(touch /workspace/pwned)",
        "`id`",
        "--bind",
        "/",
        "/host",
        "; rm -rf /workspace",
      ],
      workspace: ws,
    });
    expect(result.stdout).toBe("$(touch /workspace/pwned)|`id`|--bind|/|/host|; rm -rf /workspace|");
    expect(existsSync(join(ws, "pwned"))).toBe(false);
  });

  it("neutralises terminal escapes and invalid UTF-8 in captured output", async () => {
    const result = await sh("printf '\\033]0;owned\\007\\033[2J\\377\\376ok\\n'");
    expect(result.stdout).toBe("\\x1b]0;owned\\x07\\x1b[2J\ufffd\ufffdok\n");
  });
});
