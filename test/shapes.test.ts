/**
 * The shared JSON shapes (src/shapes/): every serialiser's output, for real records made
 * by running tasks through the CLI against the fake Anthropic server, parses with its own
 * zod schema; and the three commands that print a task agree on it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadShapeSchemas, type ShapeSchemas } from "../src/shapes/index.js";
import { FakeAnthropic, type FakeReply } from "./fakes/anthropic.js";
import { REPO_ROOT, runCli, tempHome, testEnv } from "./helpers.js";

const tool = (name: string, input: Record<string, unknown>): FakeReply => ({ kind: "tool_use", name, input });
const CODE_FAST = ["--agent", "code", "--tier", "fast"];

describe("shared JSON shapes, on records made through the CLI", () => {
  let anthropic: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  let schemas: ShapeSchemas;
  /** `hob run --json` of each task, by task id. */
  const runs = new Map<string, Record<string, unknown>>();

  async function json(argv: string[], code = 0): Promise<unknown> {
    const run = await runCli(argv, { env });
    expect(run.code, run.stderr).toBe(code);
    return run.json();
  }

  beforeAll(async () => {
    schemas = await loadShapeSchemas();
    anthropic = await FakeAnthropic.start();
    ({ home, cleanup } = tempHome());
    env = testEnv(home, anthropic.url);
    mkdirSync(join(home, "workspace"), { recursive: true });
    writeFileSync(join(home, "workspace", "todo.txt"), "call mum\n");

    // A task with a tool step that succeeds.
    anthropic.enqueue(tool("read_file", { path: "todo.txt" }), { kind: "text", text: "It says: call mum." });
    const read = (await json(["run", "--json", ...CODE_FAST, "what is in todo.txt?"])) as Record<string, unknown>;
    runs.set(read.id as string, read);

    // A task that stops for approval (an overwrite), then is approved and finishes.
    anthropic.enqueue(tool("write_file", { path: "todo.txt", content: "buy milk\n" }));
    const paused = (await json(["run", "--json", ...CODE_FAST, "replace todo.txt"], 3)) as Record<string, unknown>;
    runs.set(`${paused.id as string}:paused`, paused);
  }, 120_000);
  afterAll(async () => {
    await anthropic.close();
    cleanup();
  });

  it("run --json: a finished run and a paused run parse as run results", () => {
    for (const run of runs.values()) schemas.RunResultJsonSchema.parse(run);
    const paused = [...runs.values()].find((r) => r.status === "awaiting_approval");
    expect(paused?.approval).toMatchObject({ tool: "write_file" });
  });

  it("approvals list|show|approve --json parse as approvals and a run result", async () => {
    const pending = (await json(["approvals", "list", "--json"])) as Array<{ id: string }>;
    expect(pending).toHaveLength(1);
    for (const a of pending) schemas.ApprovalJsonSchema.parse(a);
    const id = (pending[0] as { id: string }).id;
    schemas.ApprovalJsonSchema.parse(await json(["approvals", "show", "--json", id]));

    anthropic.enqueue({ kind: "text", text: "Replaced." });
    const resumed = schemas.RunResultJsonSchema.parse(await json(["approvals", "approve", "--json", id]));
    expect(resumed.status).toBe("succeeded");
    runs.set(resumed.id, resumed);

    const all = (await json(["approvals", "list", "--all", "--json"])) as unknown[];
    const decided = schemas.ApprovalJsonSchema.parse(all[0]);
    expect(decided.decided_at).not.toBeNull();
  }, 120_000);

  it("history --json, show --json and run --json print the same task", async () => {
    const history = (await json(["history", "--json"])) as unknown[];
    expect(history.length).toBeGreaterThanOrEqual(2);
    let compared = 0;
    for (const entry of history) {
      const task = schemas.TaskJsonSchema.parse(entry);
      const shown = (await json(["show", "--json", task.id])) as Record<string, unknown>;
      const detail = schemas.TaskDetailJsonSchema.parse(shown);
      expect(detail.model_calls.length).toBe(task.calls);
      // `show` is the history entry, byte for byte, plus its model calls, steps and packed context.
      const { model_calls: _calls, steps: _steps, context: _context, ...showTask } = shown;
      expect(JSON.stringify(showTask)).toBe(JSON.stringify(entry));

      // `run --json` prints the orchestrator's summary: a subset of the task shape, with equal values.
      const run = runs.get(task.id);
      if (!run) continue;
      compared++;
      const result = schemas.RunResultJsonSchema.parse(run);
      expect({
        id: result.id,
        status: result.status,
        agent: result.agent,
        tier: result.tier,
        model: result.model,
        output: result.output,
        input_tokens: result.usage.input_tokens,
        output_tokens: result.usage.output_tokens,
      }).toEqual({
        id: task.id,
        status: task.status,
        agent: task.agent,
        tier: task.tier,
        model: task.model,
        output: task.output,
        input_tokens: task.usage.input_tokens,
        output_tokens: task.usage.output_tokens,
      });
      expect(result.cost_usd).toBeCloseTo(task.cost_usd, 12);
    }
    expect(compared).toBe(2);
  }, 120_000);

  it("show --json: the tool steps parse as steps", async () => {
    const history = (await json(["history", "--json"])) as Array<{ id: string }>;
    const statuses = new Set<string>();
    for (const { id } of history) {
      const detail = schemas.TaskDetailJsonSchema.parse(await json(["show", "--json", id]));
      for (const step of detail.steps) statuses.add(step.status);
    }
    expect(statuses.has("success")).toBe(true);
  }, 120_000);

  it("audit --json parses as audit entries", async () => {
    const entries = (await json(["audit", "--json"])) as unknown[];
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) schemas.AuditEntryJsonSchema.parse(entry);
  }, 60_000);

  it("skills list|show|disable --json parse as skills, a folder that does not load as an invalid skill", async () => {
    expect((await runCli(["skills", "new", "word-count", "--lang", "python"], { env })).code).toBe(0);
    mkdirSync(join(home, "skills", "broken"), { recursive: true });
    writeFileSync(join(home, "skills", "broken", "SKILL.md"), "no front matter here\n");

    const list = (await json(["skills", "list", "--json"])) as Array<{ status: string }>;
    expect(list.map((s) => s.status)).toContain("invalid");
    for (const entry of list)
      (entry.status === "invalid" ? schemas.InvalidSkillJsonSchema : schemas.SkillJsonSchema).parse(entry);

    const {
      validation: _v,
      recent_runs: _r,
      ...shown
    } = (await json(["skills", "show", "--json", "word-count"])) as {
      validation: unknown;
      recent_runs: unknown;
    };
    schemas.SkillJsonSchema.parse(shown);
    for (const run of _r as unknown[]) schemas.SkillRunJsonSchema.parse(run);
    const {
      validation: _iv,
      recent_runs: _ir,
      ...invalid
    } = (await json(["skills", "show", "--json", "broken"], 1)) as {
      validation: unknown;
      recent_runs: unknown;
    };
    schemas.InvalidSkillJsonSchema.parse(invalid);
    schemas.SkillJsonSchema.parse(await json(["skills", "disable", "--json", "word-count"]));
  }, 180_000);
});

describe("the shapes room at start-up", () => {
  /** The JavaScript tsc emits for a file of the room: what Node would load. */
  function emitted(file: string): string {
    const source = readFileSync(join(REPO_ROOT, "src", "shapes", file), "utf8");
    return ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
  }

  it("loads neither zod nor the schemas until asked (so `hob --help` never pays for them)", () => {
    for (const file of ["index.ts", "serialise.ts"]) {
      const js = emitted(file);
      expect(js, file).not.toMatch(/^import\b.*["']zod["']/m);
      expect(js, file).not.toMatch(/^import\b.*["']\.\/schemas\.js["']/m);
      expect(js, file).not.toMatch(/^import\b.*["']\.\.\/store\/index\.js["']/m);
    }
    expect(emitted("index.ts")).toContain('import("./schemas.js")');
  });
});
