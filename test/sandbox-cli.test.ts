import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UNCONFINED_ENV } from "../src/sandbox/index.js";
import { runCli, spawnHob, tempHome, testEnv, writeHobConfig } from "./helpers.js";

describe("hob sandbox exec", () => {
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home);
  });
  afterEach(() => cleanup());

  it("runs a command in the workspace and passes its exit code and output through", async () => {
    const run = await runCli(
      ["sandbox", "exec", "--", "sh", "-c", "echo out; echo err >&2; echo made > f.txt; exit 7"],
      { env },
    );
    expect(run.code).toBe(7);
    expect(run.stdout).toBe("out\n");
    expect(run.stderr).toBe("err\n");
    expect(readFileSync(join(home, "workspace", "f.txt"), "utf8")).toBe("made\n");
  });

  it("reports limits in --json and exits 124 on timeout", async () => {
    const run = await runCli(["sandbox", "exec", "--timeout", "0.5", "--json", "--", "sleep", "10"], { env });
    expect(run.code).toBe(124);
    expect(run.json()).toMatchObject({ exit_code: 124, timed_out: true, signal: "SIGKILL", isolation: "bubblewrap" });
    const human = await runCli(["sandbox", "exec", "--timeout", "0.5", "--", "sleep", "10"], { env });
    expect(human.stderr).toContain("killed after 0.5 s");
  });

  it("uses --workspace and never lets arguments become options or shell code", async () => {
    const ws = join(home, "elsewhere");
    const run = await runCli(["sandbox", "exec", "--workspace", ws, "--", "echo", "--bind", "/", "/host", "$(id)"], {
      env,
    });
    expect(run.stdout).toBe("--bind / /host $(id)\n");
    expect(existsSync(ws)).toBe(true);
  });

  it("refuses to run without bubblewrap and says how to install it", async () => {
    const run = await spawnHob(["sandbox", "exec", "--json", "--", "true"], { ...env, PATH: "/nonexistent" });
    expect(run.code).toBe(1);
    const { error } = run.json() as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe("E_SANDBOX");
    expect(error.message).toContain("bubblewrap (bwrap) is not installed");
    expect(error.hint).toContain("apt-get install bubblewrap");
  });

  it("warns on every run when the sandbox is switched off", async () => {
    writeHobConfig(home, "sandbox:\n  mode: none\n");
    process.env[UNCONFINED_ENV] = "1";
    try {
      const run = await runCli(["sandbox", "exec", "--", "sh", "-c", "echo $HOME"], { env });
      expect(run.stderr).toContain("warning: sandbox.mode is none");
      expect(run.stdout).toBe("/tmp\n"); // still a minimal environment, but no isolation
    } finally {
      delete process.env[UNCONFINED_ENV];
    }
  });

  it("does not switch the sandbox off on the strength of hob.yaml alone", async () => {
    writeHobConfig(home, "sandbox:\n  mode: none\n");
    const run = await spawnHob(["sandbox", "exec", "--json", "--", "true"], env);
    expect(run.code).toBe(1);
    const { error } = run.json() as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe("E_SANDBOX");
    expect(error.message).toContain(UNCONFINED_ENV);
    expect(error.hint).toContain("Remove `sandbox: { mode: none }`");
  });
});

describe("hostile commands through `hob sandbox exec`", () => {
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = { ...testEnv(home), ANTHROPIC_API_KEY: "sk-ant-must-not-leak", GITHUB_TOKEN: "ghp_must_not_leak" };
  });
  afterEach(() => cleanup());

  const exec = async (args: string[]) =>
    (await runCli(["sandbox", "exec", "--json", "--timeout", "3", "--", ...args], { env })).json() as Record<
      string,
      unknown
    >;

  it("gets no network", async () => {
    const result = await exec([
      "bash",
      "-c",
      "(exec 3<>/dev/tcp/1.1.1.1/53) 2>&1; getent hosts example.com || echo no-dns",
    ]);
    expect(String(result.stdout)).toContain("no-dns");
    expect(String(result.stdout)).toMatch(/Network is unreachable|connect/);
  });

  it("sees no keys, tokens or real home", async () => {
    const result = await exec(["sh", "-c", "env; ls -a ~"]);
    expect(String(result.stdout)).not.toMatch(/must.not.leak|ANTHROPIC|GITHUB_TOKEN/);
    expect(String(result.stdout)).toContain("HOME=/tmp");
  });

  it("cannot write outside the workspace", async () => {
    const result = await exec(["sh", "-c", `touch ${home}/escaped; touch /usr/escaped; echo done`]);
    expect(String(result.stderr)).toMatch(/No such file or directory|Read-only file system/);
    expect(existsSync(join(home, "escaped"))).toBe(false);
  });

  it("is stopped by the time limit, and floods are cut", async () => {
    expect(await exec(["sh", "-c", "trap '' TERM; while :; do :; done"])).toMatchObject({
      exit_code: 124,
      timed_out: true,
    });
    expect(await exec(["yes", "flood"])).toMatchObject({ output_limited: true });
  });
});
