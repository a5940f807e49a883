import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CliIO, main } from "../src/cli/index.js";
import { SCHEMA_VERSION } from "../src/store/index.js";
import { FakeAnthropic } from "./fakes/anthropic.js";
import {
  HOB_BIN,
  REPO_ROOT,
  runCli,
  spawnHob,
  tempHome,
  testEnv,
  writeHobConfig,
  writeRouterConfig,
} from "./helpers.js";

type Json = Record<string, unknown>;
const sentText = (fake: FakeAnthropic, index = -1) =>
  JSON.stringify(fake.messageRequests.at(index)?.body.messages ?? []);

describe("CLI fidelity (in-process, fake Anthropic)", () => {
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
    env = testEnv(home, fake.url, { HOME: join(home, "user") });
    mkdirSync(join(home, "user"));
    fake.reset();
    writeHobConfig(home, "routing:\n  default_tier: fast\n");
  });
  afterEach(() => cleanup());

  it("A: sends the task and the piped text, the text in a fence; `-` alone still reads the task", async () => {
    const run = await runCli(["run", "--json", "summarise", "this"], { env, stdin: "line one\n```js\nx\n```\n" });
    expect(run.code).toBe(0);
    const content = fake.messageRequests[0]?.body.messages?.[0]?.content as Array<{ text: string }>;
    expect(content[0]?.text).toBe("summarise this\n\n````\nline one\n```js\nx\n```\n````");
    const plain = await runCli(["run", "--json", "no pipe here"], { env });
    expect(plain.json()).toMatchObject({ output: "You said: no pipe here" });
    const dash = await runCli(["run", "--json", "-"], { env, stdin: "the task itself\n" });
    expect(dash.json()).toMatchObject({ output: "You said: the task itself" });
  });

  it("B: -m picks any model_name and names the available ones when unknown; -q prints only the answer", async () => {
    const smart = await runCli(["run", "--json", "-m", "smart", "hi"], { env });
    expect(smart.json()).toMatchObject({ tier: "smart", model: "claude-sonnet-4-5" });
    const bad = await runCli(["run", "--json", "--model", "huge", "hi"], { env });
    expect(bad.code).toBe(2);
    const error = (bad.json() as { error: { code: string; message: string; hint: string } }).error;
    expect(error.code).toBe("E_USAGE");
    expect(error.message).toMatch(/no model "huge".*available: .*fast.*smart/);
    const quiet = await runCli(["run", "-q", "quietly"], { env });
    expect(quiet).toMatchObject({ code: 0, stdout: "You said: quietly\n", stderr: "" });
    const loud = await runCli(["run", "loudly"], { env });
    expect(loud.stderr).toContain("✓ fast · claude-haiku-4-5");
  });

  it("B: -c continues the last chat session with its context, in run and in chat", async () => {
    const stdin = new PassThrough();
    const chat = runCli(["chat"], { env, stdin });
    stdin.end("my name is Ada\n");
    expect((await chat).code).toBe(0);
    const run = await runCli(["run", "-c", "what is my name?"], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("(1 earlier turn)");
    expect(fake.messageRequests.at(-1)?.body.messages).toHaveLength(3);
    expect(sentText(fake)).toContain("my name is Ada");

    const more = new PassThrough();
    const again = runCli(["chat", "--continue"], { env, stdin: more });
    more.end("and again?\n");
    expect((await again).stderr).toContain("continued: 2 earlier turns in context");
    expect(fake.messageRequests.at(-1)?.body.messages).toHaveLength(5);
    const sessions = (await runCli(["history", "--json"], { env })).json() as Array<{ session_id: string }>;
    expect(new Set(sessions.map((t) => t.session_id)).size).toBe(1);
  });

  it("D: the spinner never writes more than one line, however narrow the terminal", async () => {
    writeRouterConfig(
      home,
      "model_list:\n  - model_name: 快速模型名字很长的名字\n    litellm_params: { model: anthropic/claude-haiku-4-5 }\n",
    );
    fake.enqueue({ kind: "text", text: "ok", chunks: 1, chunkDelayMs: 400 });
    let err = "";
    const io: CliIO = {
      stdout: { write: () => true },
      stderr: {
        isTTY: true,
        columns: 20,
        write: (s: string) => {
          err += s;
          return true;
        },
      },
      stdin: Object.assign(new PassThrough().end(), { isTTY: false }),
      env,
      onInterrupt: () => () => undefined,
    };
    expect(await main(["run", "-m", "快速模型名字很长的名字", "a task with a long label"], io)).toBe(0);
    const frames = err.split("\r").filter((frame) => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(frame));
    expect(frames.length).toBeGreaterThan(0);
    const { displayWidth } = await import("../src/cli/format.js");
    for (const frame of frames) {
      const text = frame.replace("\u001b[K", "");
      expect(text).not.toContain("\n");
      expect(displayWidth(text)).toBeLessThanOrEqual(19);
    }
  });

  it("E: --json keys are snake_case, `model` is one string everywhere, every error has a hint", async () => {
    const run = (await runCli(["run", "--json", "hi"], { env })).json() as Json;
    const [task] = (await runCli(["history", "--json"], { env })).json() as Json[];
    const config = (await runCli(["config", "show", "--json"], { env })).json() as {
      router: { models: Json[]; settings: Json };
    };
    expect(task?.model).toBe(run.model);
    expect(config.router.models.find((m) => m.model_name === "fast")?.model).toBe(run.model);
    const paths = (await runCli(["config", "path", "--json"], { env })).json() as Json;
    const keys = (value: unknown): string[] =>
      typeof value !== "object" || value === null
        ? []
        : Array.isArray(value)
          ? value.flatMap(keys)
          : Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]);
    for (const body of [run, task, paths, config.router.models]) {
      for (const key of keys(body)) expect(key).toMatch(/^[a-z0-9_]+$/);
    }
    // Its fallbacks are keyed by model names (data, like `local-fast`); the settings' own keys are snake_case.
    for (const key of Object.keys(config.router.settings)) expect(key).toMatch(/^[a-z0-9_]+$/);
    const errors = [
      await runCli(["show", "--json", "nope"], { env }),
      await runCli(["history", "--json", "--status", "bogus"], { env }),
      await runCli(["run", "--json", "--agent", "nobody", "x"], { env }),
    ];
    for (const e of errors) {
      const body = e.json() as { error: { code: string; message: string; hint: string } };
      expect(body.error.hint.length).toBeGreaterThan(5);
      expect(e.code).not.toBe(0);
    }
  });

  it("bug 1: `workspace: ~/notes` and `--workspace ~/x` expand ~, and `config path` prints the workspace used", async () => {
    writeHobConfig(home, "routing:\n  default_tier: fast\nworkspace: ~/notes\n");
    mkdirSync(join(home, "user", "notes"));
    const paths = (await runCli(["config", "path", "--json"], { env })).json() as Json;
    expect(paths.workspace).toBe(join(home, "user", "notes"));
    expect((await runCli(["config", "path"], { env })).stdout).toContain(`workspace  ${join(home, "user", "notes")}`);
    const run = (await runCli(["run", "--json", "hi"], { env })).json() as { id: string };
    expect((await runCli(["show", "--json", run.id], { env })).json()).toMatchObject({});
    const other = await runCli(["run", "--json", "--create", "--workspace", "~/elsewhere", "hi"], { env });
    expect(other.code).toBe(0);
    expect(existsSync(join(home, "user", "elsewhere"))).toBe(true);
    expect(existsSync(join(process.cwd(), "~"))).toBe(false);
  });

  it("bug 2: `config show` reports the Ollama host `run` uses (OLLAMA_HOST wins)", async () => {
    const show = (
      await runCli(["config", "show", "--json"], { env: { ...env, OLLAMA_HOST: "gpu-box:9999" } })
    ).json() as {
      config: { ollama: { host: string } };
    };
    expect(show.config.ollama.host).toBe("http://gpu-box:9999");
  });

  it("bug 4: `history --status awaiting_approval` is accepted", async () => {
    const run = await runCli(["history", "--status", "awaiting_approval", "--json"], { env });
    expect(run.code).toBe(0);
    expect(run.json()).toEqual([]);
  });

  it("bug 5: a file or a missing folder as workspace, and an unwritable home, are usage errors, never E_INTERNAL", async () => {
    const file = join(home, "a-file");
    writeFileSync(file, "x");
    const onFile = await runCli(["run", "--json", "--workspace", file, "hi"], { env });
    expect(onFile.code).toBe(2);
    expect(onFile.json()).toMatchObject({
      error: { code: "E_USAGE", message: expect.stringContaining("not a folder") },
    });
    const missing = join(home, "not-there");
    const notCreated = await runCli(["run", "--json", "--workspace", missing, "hi"], { env });
    expect(notCreated.json()).toMatchObject({ error: { code: "E_USAGE", hint: expect.stringContaining("--create") } });
    expect(existsSync(missing)).toBe(false);
    expect(fake.messageRequests).toHaveLength(0);
    const created = await runCli(["run", "--json", "--workspace", missing, "--create", "hi"], { env });
    expect(created.code).toBe(0);
    expect(existsSync(missing)).toBe(true);
    const init = await runCli(["config", "init", "--json"], { env: { ...env, HOB_HOME: join(file, "home") } });
    expect(init.code).toBe(2);
    expect(init.json()).toMatchObject({
      error: { code: "E_CONFIG", message: expect.stringContaining("Cannot write") },
    });
  });

  describe("a task with tool calls", () => {
    let taskId: string;
    beforeEach(async () => {
      mkdirSync(join(home, "workspace"), { recursive: true });
      writeFileSync(join(home, "workspace", "notes.md"), "dentist on monday\n");
      fake.enqueue(
        { kind: "tool_use", name: "read_file", input: { path: "notes.md" } },
        { kind: "text", text: "Monday." },
      );
      const run = await runCli(["run", "--json", "--agent", "fileops", "--tier", "fast", "when is the dentist?"], {
        env,
      });
      taskId = (run.json() as { id: string }).id;
      fake.enqueue({ kind: "text", text: "second" });
      await runCli(["run", "--json", "another task"], { env });
    });

    it("bug 6: every id option takes a unique prefix; an unknown id is E_NOT_FOUND; an ambiguous one lists the candidates", async () => {
      const audit = await runCli(["audit", "--json", "--task", taskId.slice(0, 8)], { env });
      expect(audit.code).toBe(0);
      expect((audit.json() as Array<{ task_id: string }>).map((e) => e.task_id)).toContain(taskId);
      const unknown = await runCli(["audit", "--json", "--task", "zzzzzzzz"], { env });
      expect(unknown.code).toBe(1);
      expect(unknown.json()).toMatchObject({ error: { code: "E_NOT_FOUND" } });
      const [first, second] = (await runCli(["history", "--json"], { env })).json() as Array<{ id: string }>;
      let common = 0;
      while (first?.id[common] === second?.id[common]) common++;
      const ambiguous = await runCli(["show", "--json", first?.id.slice(0, common) ?? ""], { env });
      expect(ambiguous.code).toBe(2);
      const message = (ambiguous.json() as { error: { message: string } }).error.message;
      expect(message).toContain(first?.id);
      expect(message).toContain(second?.id);
    });

    it("bug 8 and 12: `show` numbers the model calls in order, with plurals right", async () => {
      const human = await runCli(["show", taskId], { env });
      const rows = human.stdout
        .split("Model calls\n")[1]
        ?.split("\n")
        .slice(1)
        .filter(Boolean)
        .map((line) => line.split(/\s+/)[0]);
      expect(rows).toEqual(["1", "2"]);
      expect(human.stdout).toContain("2 calls ·");
      const other = (await runCli(["history", "--json", "--limit", "1"], { env })).json() as Array<{ id: string }>;
      expect((await runCli(["show", other[0]?.id ?? ""], { env })).stdout).toContain("1 call ·");
    });

    it("bug 13: ids in lists are shown at a length that is a unique prefix, at least 8", async () => {
      const table = (await runCli(["history"], { env })).stdout.split("\n").slice(1).filter(Boolean);
      const shown = table.map((line) => line.split(/\s+/)[0] as string);
      expect(shown).toHaveLength(2);
      for (const id of shown) {
        expect(id.length).toBeGreaterThanOrEqual(8);
        expect((await runCli(["show", "--json", id], { env })).code).toBe(0);
      }
      expect(new Set(shown).size).toBe(2);
    });
  });

  it("bug 7: every bad key at once with its line, a hint that says what to edit, and doctor goes on", async () => {
    writeHobConfig(home, "routing:\n  default_tier: fast\n  turbo: b\ncache:\n  ttl_hours: -1\n");
    const run = await runCli(["run", "--json", "x"], { env });
    expect(run.code).toBe(2);
    const error = (run.json() as { error: { message: string; hint: string } }).error;
    const file = join(home, "hob.yaml");
    expect(error.message).toContain(`${file}:3: unknown key \`routing.turbo\``);
    expect(error.message).toContain(`${file}:5: \`cache.ttl_hours\``);
    expect(error.hint).toContain(`Edit ${file} at lines 3, 5`);
    expect(error.hint).not.toContain("config show");
    const doctor = await runCli(["doctor", "--json"], { env });
    expect(doctor.code).toBe(1);
    const checks = (doctor.json() as { checks: Array<{ name: string; status: string }> }).checks;
    expect(checks[0]).toMatchObject({ name: "config", status: "fail" });
    expect(checks.map((c) => c.name)).toEqual(expect.arrayContaining(["router", "database", "anthropic", "sandbox"]));
  });

  it("bug 11: a forced agent never runs the classifier (no classify call, even when it is unsure)", async () => {
    // Routing on auto with a threshold no task reaches: without --agent the local model would be asked.
    writeHobConfig(home, "routing:\n  classifier_threshold: 1\n");
    for (const argv of [
      ["run", "--json", "--agent", "general", "--tier", "fast", "hello there"],
      ["run", "--json", "--agent", "research", "--tier", "fast", "hello there"],
    ]) {
      const run = (await runCli(argv, { env })).json() as { id: string };
      const shown = (await runCli(["show", "--json", run.id], { env })).json() as {
        classifier: string;
        model_calls: Array<{ purpose: string }>;
      };
      expect(shown.classifier).toBe("forced");
      expect(shown.model_calls.map((c) => c.purpose)).toEqual(["answer"]);
    }
    const routed = (await runCli(["run", "--json", "--tier", "fast", "hello there"], { env })).json() as { id: string };
    expect(((await runCli(["show", "--json", routed.id], { env })).json() as Json).classifier).toBe("forced");
  });

  it("bug 11: --agent without --tier does not ask the local model which agent to use", async () => {
    writeHobConfig(home, "routing:\n  classifier_threshold: 1\n");
    const run = (await runCli(["run", "--json", "--agent", "research", "hello there"], { env })).json() as {
      id: string;
    };
    const shown = (await runCli(["show", "--json", run.id], { env })).json() as {
      model_calls: Array<{ purpose: string }>;
    };
    expect(shown.model_calls.some((c) => c.purpose === "classify")).toBe(false);
  });

  it("bug 12: `sandbox exec ls -la` says to put the command after --; a missing command is E_USAGE", async () => {
    const human = await runCli(["sandbox", "exec", "ls", "-la"], { env });
    expect(human.code).toBe(2);
    expect(human.stderr).toContain("unknown option '-la'");
    expect(human.stderr).toContain("→ Put the command after --: hob sandbox exec -- ls -la");
    const json = await runCli(["sandbox", "exec", "--json", "--timeout", "5", "ls", "-la"], { env });
    expect(json.json()).toMatchObject({
      error: { code: "E_USAGE", hint: "Put the command after --: hob sandbox exec --json --timeout 5 -- ls -la" },
    });
    const missing = await runCli(["sandbox", "exec", "--json", "--", "no-such-command-here"], { env });
    expect(missing.code).toBe(2);
    expect(missing.json()).toMatchObject({
      error: { code: "E_USAGE", message: expect.stringContaining("No such command in the sandbox") },
    });
  });
});

describe("README", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  it("bug 13: links nothing outside the repository, and shows the schema version hob prints", () => {
    expect(readme).not.toMatch(/\]\(\.\.\//);
    expect(readme).not.toMatch(/`\.\.\/[^`]*`/);
    expect(readme).toContain(`(schema v${SCHEMA_VERSION})`);
  });
});

describe("hob as a process: pipes and the terminal", () => {
  let fake: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  beforeAll(async () => {
    fake = await FakeAnthropic.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    fake.reset();
  });
  afterEach(() => cleanup());

  it("A: `echo X | hob run TASK` sends both through a real shell pipe; a closed or inherited stdin is not read", async () => {
    const env = testEnv(home, fake.url);
    const piped = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(
        "sh",
        ["-c", `printf 'a b c' | "${process.execPath}" "${HOB_BIN}" run --json -m fast count`],
        {
          env,
        },
      );
      let stdout = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ output: "You said: count\n\n```\na b c\n```" });
    const plain = await spawnHob(["run", "--json", "-m", "fast", "plain"], env);
    expect(plain.json()).toMatchObject({ output: "You said: plain" });
  });

  it("C: Ctrl-C at the approval prompt cancels the task (exit 130, status cancelled)", async () => {
    mkdirSync(join(home, "workspace"));
    writeFileSync(join(home, "workspace", "todo.txt"), "call mum\n");
    fake.enqueue({ kind: "tool_use", name: "write_file", input: { path: "todo.txt", content: "wiped\n" } });
    const env = { ...testEnv(home, fake.url), TERM: "dumb" };
    const child = spawn(
      "script",
      ["-qec", `${process.execPath} ${HOB_BIN} run --agent code --tier fast "edit my todo"`, "/dev/null"],
      { env, stdio: ["pipe", "pipe", "pipe"] },
    );
    let screen = "";
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d) => {
        screen += d;
        if (screen.includes("allow this? [y/N]")) resolve();
      });
    });
    child.stdin.write("\u0003");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(130);
    expect(readFileSync(join(home, "workspace", "todo.txt"), "utf8")).toBe("call mum\n");
    const [task] = (await spawnHob(["history", "--json"], env)).json() as Array<{ status: string }>;
    expect(task?.status).toBe("cancelled");
  });
});
