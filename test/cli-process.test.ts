import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Database } from "../src/store/index.js";
import { FakeAnthropic } from "./fakes/anthropic.js";
import { HOB_BIN, spawnHob, tempHome, testEnv } from "./helpers.js";

/** Starts `hob` and resolves once its stdout has shown `minChars` characters of answer. */
function startStreaming(argv: string[], env: NodeJS.ProcessEnv, minChars: number) {
  const child = spawn(process.execPath, [HOB_BIN, ...argv], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const streaming = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      if (stdout.length >= minChars) resolve();
    });
    exited.then(() => reject(new Error(`hob exited before streaming: ${stderr}`)));
  });
  return { child, streaming, exited, output: () => stdout };
}

describe("hob as a process (built binary, fake Anthropic server)", () => {
  let fake: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home, fake.url);
  });
  afterEach(() => cleanup());

  it("runs a task end to end and prints JSON for scripts", async () => {
    fake.enqueue({ kind: "text", text: "Hello from the fake Claude." });
    const run = await spawnHob(["run", "--json", "say hello"], env);
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ status: "succeeded", output: "Hello from the fake Claude.", agent: "general" });
  });

  it("survives kill -9 mid-stream: the database stays consistent and the task shows as interrupted", async () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    fake.enqueue({ kind: "text", text: words, chunks: 40, chunkDelayMs: 50 });
    const run = startStreaming(["run", "write forty words"], env, 60);
    await run.streaming;
    // Let at least one progress save happen (every 250 ms), then kill without warning.
    await new Promise((resolve) => setTimeout(resolve, 400));
    run.child.kill("SIGKILL");
    expect((await run.exited).signal).toBe("SIGKILL");
    const seen = run.output();

    const db = new Database(join(home, "hob.db"), { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    const raw = db.prepare("SELECT status, output FROM tasks").all() as Array<{
      status: string;
      output: string | null;
    }>;
    db.close();
    expect(raw).toHaveLength(1);
    expect(raw[0]?.status).toBe("running"); // nobody has looked yet
    expect(seen.startsWith(raw[0]?.output ?? "!")).toBe(true); // what was saved is what was shown

    const history = await spawnHob(["history"], env);
    expect(history.stderr).toContain("1 task was interrupted");
    const [task] = (await spawnHob(["history", "--json"], env)).json() as Array<{
      status: string;
      error: { code: string };
      output: string;
    }>;
    expect(task).toMatchObject({ status: "interrupted", error: { code: "E_INTERRUPTED" } });
    expect(task?.output.length).toBeGreaterThan(0);

    // The next task runs normally on the same database.
    const next = await spawnHob(["run", "--json", "still working?"], env);
    expect(next.json()).toMatchObject({ status: "succeeded" });
  });

  it("cancels cleanly on SIGINT (Ctrl-C) and records the task as cancelled", async () => {
    fake.enqueue({ kind: "text", text: "a ".repeat(50), chunks: 50, chunkDelayMs: 40 });
    const run = startStreaming(["run", "count"], env, 4);
    await run.streaming;
    run.child.kill("SIGINT");
    const { code } = await run.exited;
    expect(code).toBe(130);
    const [task] = (await spawnHob(["history", "--json"], env)).json() as Array<{ status: string }>;
    expect(task?.status).toBe("cancelled");
  });

  it("answers a malformed config with one clear line and exit code 2", async () => {
    const run = await spawnHob(["run", "x"], { ...env, ANTHROPIC_BASE_URL: "::nonsense::" });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error \[E_CONFIG\] ANTHROPIC_BASE_URL is not a valid URL/);
    expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(2);
  });
});

describe("approval in a terminal (a pseudo-terminal via script(1))", () => {
  it("shows the action with its diff, asks, and acts on the answer", async () => {
    const { writeFileSync, readFileSync, mkdirSync } = await import("node:fs");
    const fake = await FakeAnthropic.start();
    const { home, cleanup } = tempHome();
    try {
      mkdirSync(join(home, "workspace"));
      writeFileSync(join(home, "workspace", "todo.txt"), "call mum\n");
      const env = { ...testEnv(home, fake.url), TERM: "dumb" };
      const ask = async (answer: string, content: string) => {
        fake.enqueue(
          { kind: "tool_use", name: "write_file", input: { path: "todo.txt", content } },
          { kind: "text", text: "Done." },
        );
        const child = spawn(
          "script",
          ["-qec", `${process.execPath} ${HOB_BIN} run --agent code --tier fast "edit my todo"`, "/dev/null"],
          {
            env,
            stdio: ["pipe", "pipe", "pipe"],
          },
        );
        let screen = "";
        const prompted = new Promise<void>((resolve) => {
          child.stdout.on("data", (d) => {
            screen += d;
            if (screen.includes("allow this? [y/N]")) resolve();
          });
        });
        await prompted;
        child.stdin.write(`${answer}\r`);
        await new Promise((resolve) => child.on("close", resolve));
        return screen;
      };
      const yes = await ask("y", "call mum\ncall dad\n");
      expect(yes).toContain("approval needed: write_file — overwrite todo.txt");
      expect(yes).toContain("why: it overwrites a file this task did not create");
      expect(yes).toContain("+call dad");
      expect(readFileSync(join(home, "workspace", "todo.txt"), "utf8")).toBe("call mum\ncall dad\n");

      const no = await ask("n", "wiped\n");
      expect(no).toContain("allow this? [y/N]");
      expect(readFileSync(join(home, "workspace", "todo.txt"), "utf8")).toBe("call mum\ncall dad\n");
      expect(JSON.stringify(fake.messageRequests.at(-1)?.body.messages)).toContain("the user denied this action");
    } finally {
      cleanup();
      await fake.close();
    }
  });
});
