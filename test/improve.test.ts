/**
 * Self-improvement end to end, through the CLI: a generated history with planted
 * patterns → `hob improve run` (the analysis, hob's own routing change, an agent change
 * written by the improver over the fake Anthropic API) → validation → `hob proposals
 * approve` (commit in the managed repository, registries reload) → the change is in
 * effect → `hob proposals rollback` → it is gone. And the invariants: a tampered proposal
 * is refused, two concurrent approvals apply once, a crash between the commit and the
 * status is finished on the next approve, and no agent can write hob's managed repository.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Store } from "../src/store/index.js";
import { FakeAnthropic, type FakeReply } from "./fakes/anthropic.js";
import { runCli, spawnHob, tempHome, testEnv, writeRouterConfig } from "./helpers.js";
import { generateHistory } from "./history-generator.js";

type Json = Record<string, unknown>;
const RESEARCH_YAML = readFileSync(new URL("../agents/research.yaml", import.meta.url), "utf8");
const MORE_STEPS = RESEARCH_YAML.replace("max_steps: 10", "max_steps: 20");

/** What the improver (the fake model) does for the research agent's E_MAX_STEPS finding. */
const improverWrites = (): FakeReply[] => [
  { kind: "tool_use", name: "write_file", input: { path: "agents/research.yaml", content: MORE_STEPS } },
  {
    kind: "text",
    text: "Title: Give the research agent 20 steps\nResearch tasks keep failing with E_MAX_STEPS after 10 steps; 20 leaves room to read the sources.",
  },
];

/** The approval id of a proposal, read from the database as a dashboard would. */
function approvalIdOf(home: string, proposalId: string): string {
  const store = Store.open(join(home, "hob.db"));
  try {
    return store.proposals.get(proposalId).approvalId as string;
  } finally {
    store.close();
  }
}

const git = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" }).trim();

describe("self-improvement through the CLI", () => {
  let anthropic: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  let planted: Awaited<ReturnType<typeof generateHistory>>;

  beforeAll(async () => {
    anthropic = await FakeAnthropic.start();
  });
  afterAll(() => anthropic.close());
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home, anthropic.url);
    anthropic.reset();
    const store = Store.open(join(home, "hob.db"));
    planted = generateHistory(store, {
      tasks: 120,
      seed: 7,
      start: Date.now() - 3 * 86_400_000,
      spacingMs: 60_000,
      plant: { maxSteps: 6, localInCloudClass: { local: 14, cloud: 6 } },
    });
    store.close();
  });
  afterEach(() => cleanup());

  const cli = async (argv: string[]) => runCli(argv, { env });
  const json = async (argv: string[]) => {
    const run = await cli(argv);
    expect(run.code, run.stderr || run.stdout).toBe(0);
    return run.json();
  };

  it("analyses, proposes, validates, applies, takes effect and rolls back", async () => {
    anthropic.enqueue(...improverWrites());
    const report = (await json(["improve", "run", "--json"])) as {
      findings: Array<{ key: string; kind: string; evidence: { task_ids: string[]; count: number } }>;
      proposals: Array<{ id: string; kind: string; title: string; status: string; diff_sha256: string }>;
    };
    const failure = report.findings.find((f) => f.key === "repeated_failure:agent:research:E_MAX_STEPS");
    expect(failure?.evidence.count).toBe(6);
    expect(failure?.evidence.task_ids.every((id) => planted.ids.maxSteps.includes(id))).toBe(true);
    const routingFinding = report.findings.find((f) => f.key.startsWith("optimisation:complex:fileops:"));
    expect(routingFinding?.kind).toBe("optimisation");
    expect(report.proposals.map((p) => [p.kind, p.status])).toEqual([
      ["agent_change", "pending"],
      ["routing_change", "pending"],
    ]);
    const [agentChange, routingChange] = report.proposals as [
      (typeof report.proposals)[0],
      (typeof report.proposals)[0],
    ];
    expect(agentChange.title).toBe("Give the research agent 20 steps");

    // The list and the detail a human reviews.
    const listed = (await json(["proposals", "list", "--json"])) as Json[];
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({ status: "pending", diff_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const shown = (await json(["proposals", "show", agentChange.id, "--json"])) as Json & {
      diff: string;
      validation: Array<{ check: string; ok: boolean }>;
    };
    expect(shown.diff).toContain("+max_steps: 20");
    expect(shown.rationale).toContain("E_MAX_STEPS");
    expect(shown.evidence).toMatchObject({ count: 6 });
    expect(shown.validation.map((v) => [v.check, v.ok])).toEqual([
      ["paths", true],
      ["applies", true],
      ["agent schema", true],
      ["hob loads it", true],
    ]);
    // The same problems again, in history that came after the run: no second proposal while one is open.
    const more = Store.open(join(home, "hob.db"));
    generateHistory(more, {
      tasks: 40,
      seed: 8,
      start: Date.now() + 1,
      spacingMs: 1,
      plant: { maxSteps: 6, localInCloudClass: { local: 14, cloud: 6 } },
    });
    more.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = (await json(["improve", "run", "--json"])) as { proposals: unknown[]; skipped: Json[] };
    expect(again.proposals).toEqual([]);
    expect(again.skipped).toEqual(
      expect.arrayContaining([expect.objectContaining({ reason: "a proposal for it is already open" })]),
    );

    // Before: the research agent has 10 steps and complex fileops tasks go to the cloud.
    expect(((await json(["agents", "show", "research", "--json"])) as Json).max_steps).toBe(10);
    const configBefore = (
      (await json(["config", "show", "--json"])) as { config: { routing: { tiers: { complex: Json } } } }
    ).config;
    expect(configBefore.routing.tiers.complex.fileops).toBe("fast");

    const fileopsTask =
      "move every photo in my downloads folder into subfolders by year and month, renaming duplicates";
    expect(await json(["route", "--json", fileopsTask])).toMatchObject({
      agent: "fileops",
      complexity: "complex",
      tier: "fast",
    });

    const applied = (await json(["proposals", "approve", agentChange.id, "--json"])) as Json;
    expect(applied).toMatchObject({
      id: agentChange.id,
      status: "applied",
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    await json(["proposals", "approve", routingChange.id, "--json"]);
    const managed = join(home, "managed");
    expect(git(managed, "log", "-1", "--format=%B")).toContain(`Hob-Proposal: ${routingChange.id}`);
    expect(((await json(["agents", "show", "research", "--json"])) as Json).max_steps).toBe(20);
    const configAfter = (
      (await json(["config", "show", "--json"])) as { config: { routing: { tiers: { complex: Json } } } }
    ).config;
    expect(configAfter.routing.tiers.complex.fileops).toBe(routingFinding?.key.split(":").at(-1));
    // A task of that class is now routed to the local tier: the approved change is in effect, without a restart.
    expect(await json(["route", "--json", fileopsTask])).toMatchObject({ agent: "fileops", tier: "local" });
    // Who approved, and that the approval was spent, are on the approval record.
    const approvals = (await json(["approvals", "list", "--all", "--json"])) as Json[];
    expect(approvals.filter((a) => a.subject === "proposal").map((a) => [a.status, a.decided_by])).toEqual([
      ["used", "cli"],
      ["used", "cli"],
    ]);

    const rolledBack = (await json(["proposals", "rollback", agentChange.id, "--json"])) as Json;
    expect(rolledBack).toMatchObject({ status: "rolled_back", commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(((await json(["agents", "show", "research", "--json"])) as Json).max_steps).toBe(10);
    expect(existsSync(join(managed, "agents", "research.yaml"))).toBe(false);
    // A state that forbids it is refused with E_APPROVAL.
    const twice = await cli(["proposals", "rollback", agentChange.id, "--json"]);
    expect(twice.code).toBe(1);
    expect((twice.json() as { error: Json }).error.code).toBe("E_APPROVAL");
  });

  it("refuses a tampered proposal, applies two racing approvals once, and finishes an apply a crash cut short", async () => {
    anthropic.enqueue(...improverWrites());
    const report = (await json(["improve", "run", "--json"])) as { proposals: Array<{ id: string; kind: string }> };
    const agentChange = report.proposals.find((p) => p.kind === "agent_change") as { id: string };
    const routingChange = report.proposals.find((p) => p.kind === "routing_change") as { id: string };

    // Tampered: the stored diff no longer matches the SHA-256 the approval binds.
    const store = Store.open(join(home, "hob.db"));
    const original = store.proposals.get(agentChange.id).diff;
    store.db
      .prepare("UPDATE proposals SET diff = ? WHERE id = ?")
      .run(original.replace("max_steps: 20", "max_steps: 99"), agentChange.id);
    store.close();
    const tampered = await cli(["proposals", "approve", agentChange.id, "--json"]);
    expect(tampered.code).toBe(1);
    expect((tampered.json() as { error: Json }).error).toMatchObject({ code: "E_APPROVAL" });
    expect((tampered.json() as { error: { message: string } }).error.message).toContain("altered");

    // The generic approvals command does not decide a proposal (it would leave it approved but never applied).
    const sideways = await cli(["approvals", "approve", approvalIdOf(home, routingChange.id), "--json"]);
    expect(sideways.code).toBe(2);
    expect((sideways.json() as { error: { hint: string } }).error.hint).toContain(
      `hob proposals approve ${routingChange.id}`,
    );

    // Two processes approve the routing change at once: one applies it, the other is refused.
    const racing = await Promise.all([
      spawnHob(["proposals", "approve", routingChange.id, "--json"], env),
      spawnHob(["proposals", "approve", routingChange.id, "--json"], env),
    ]);
    expect(racing.map((r) => r.code).sort(), racing.map((r) => r.stdout + r.stderr).join("\n")).toEqual([0, 1]);
    const managed = join(home, "managed");
    expect(
      git(managed, "log", "--format=%s")
        .split("\n")
        .filter((s) => s.startsWith("Route ")),
    ).toHaveLength(1);

    // A crash after the commit but before the status change: the next approve records it, without a second commit.
    const crashed = Store.open(join(home, "hob.db"));
    crashed.db.prepare("UPDATE proposals SET diff = ? WHERE id = ?").run(original, agentChange.id);
    const proposal = crashed.proposals.get(agentChange.id);
    crashed.db
      .prepare("UPDATE approvals SET status = 'approved', decided_by = 'cli' WHERE id = ?")
      .run(proposal.approvalId);
    expect(crashed.proposals.transition(agentChange.id, "pending", "approved")).toBe(true);
    crashed.close();
    execFileSync("git", ["-C", managed, "apply", "--index", "-"], { input: original });
    execFileSync("git", [
      "-C",
      managed,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@t",
      "commit",
      "-qm",
      `x\n\nHob-Proposal: ${agentChange.id}`,
    ]);
    const commits = git(managed, "rev-list", "--count", "HEAD");
    const finished = (await json(["proposals", "approve", agentChange.id, "--json"])) as Json;
    expect(finished).toMatchObject({ status: "applied", commit: git(managed, "rev-parse", "HEAD") });
    expect(git(managed, "rev-list", "--count", "HEAD")).toBe(commits);
  });

  it("keeps agents out of the managed repository: a model cannot write what only an approval may change", async () => {
    await json(["config", "path", "--json"]);
    const managed = join(home, "managed");
    anthropic.enqueue(
      {
        kind: "tool_use",
        name: "write_file",
        input: { path: join(managed, "agents", "research.yaml"), content: "name: research\n" },
      },
      { kind: "tool_use", name: "write_file", input: { path: "../managed/routing.yaml", content: "tiers: {}\n" } },
      { kind: "text", text: "I could not change hob's configuration." },
    );
    const run = await cli(["run", "--json", "--agent", "code", "--tier", "fast", "make yourself faster"]);
    expect(run.code).toBe(0);
    expect(existsSync(join(managed, "agents", "research.yaml"))).toBe(false);
    expect(existsSync(join(managed, "routing.yaml"))).toBe(false);
    const steps = ((await json(["show", "--json", (run.json() as Json).id as string])) as { steps: Json[] }).steps;
    expect(steps.map((s) => s.status)).toEqual(["error", "error"]);
  });
  it("turns a recurring family of tasks into a skill the improver writes, validated in the sandbox, usable once approved", async () => {
    const store = Store.open(join(home, "hob.db"));
    const families = generateHistory(store, {
      tasks: 30,
      seed: 9,
      start: Date.now() - 60_000,
      spacingMs: 1_000,
      plant: { family: 8 },
    });
    store.close();
    const skillMd =
      "---\nname: csv-to-json\ndescription: Converts a CSV file to JSON.\nmetadata:\n  hob:\n    language: bash\n    entrypoint: scripts/main.sh\n---\n\nGive it a CSV line.\n";
    const script =
      '#!/usr/bin/env bash\nset -euo pipefail\nIFS=, read -r first second <<< "$1"\nprintf \'["%s","%s"]\\n\' "$first" "$second"\n';
    anthropic.enqueue(
      { kind: "tool_use", name: "write_file", input: { path: "skills/csv-to-json/SKILL.md", content: skillMd } },
      { kind: "tool_use", name: "write_file", input: { path: "skills/csv-to-json/scripts/main.sh", content: script } },
      {
        kind: "tool_use",
        name: "write_file",
        input: {
          path: "skills/csv-to-json/tests/cases.json",
          content: JSON.stringify([{ args: ["a,b"], exit_code: 0, output: '^\\["a","b"\\]' }]),
        },
      },
      {
        kind: "text",
        text: "Title: Add a csv-to-json skill\nEight tasks asked to turn CSV into JSON; a skill does it without a model.",
      },
    );
    const report = (await json(["improve", "run", "--json"])) as {
      findings: Array<{ kind: string; evidence: { task_ids: string[] } }>;
      proposals: Array<{ id: string; kind: string; status: string; reason?: string }>;
    };
    const pattern = report.findings.find((f) => f.kind === "novel_pattern");
    expect(pattern?.evidence.task_ids.length).toBe(8);
    expect(pattern?.evidence.task_ids.every((id) => families.ids.family.includes(id))).toBe(true);
    const proposal = report.proposals.find((p) => p.kind === "new_skill");
    expect(proposal, JSON.stringify(report.proposals)).toMatchObject({ status: "pending" });
    const shown = (await json(["proposals", "show", (proposal as { id: string }).id, "--json"])) as {
      validation: Array<{ check: string; ok: boolean; detail: string }>;
    };
    expect(shown.validation.find((v) => v.check === "skill csv-to-json")).toMatchObject({ ok: true });

    const names = async () =>
      ((await json(["skills", "list", "--json"])) as Array<{ name: string }>).map((k) => k.name);
    expect(await names()).not.toContain("csv-to-json");
    await json(["proposals", "approve", (proposal as { id: string }).id, "--json"]);
    expect(await names()).toContain("csv-to-json");
    const ran = await cli(["skills", "run", "csv-to-json", "x,y"]);
    expect(ran.stdout).toContain('["x","y"]');
    await json(["proposals", "rollback", (proposal as { id: string }).id, "--json"]);
    expect(await names()).not.toContain("csv-to-json");
  });
  it("proposes a fallback for a model group that keeps failing, and the next task falls back once it is approved", async () => {
    writeRouterConfig(
      home,
      [
        "# my own router config: no fallbacks yet",
        "model_list:",
        "  - model_name: local",
        "    litellm_params: { model: ollama_chat/qwen3:8b }",
        "  - model_name: fast",
        "    litellm_params: { model: anthropic/claude-haiku-4-5 }",
        "router_settings:",
        "  num_retries: 0",
        "",
      ].join("\n"),
    );
    const store = Store.open(join(home, "hob.db"));
    const failing = planted.ids.noise.slice(0, 4);
    for (const taskId of failing) {
      store.modelCalls.insert({
        taskId,
        createdAt: Date.now() - 60_000,
        provider: "ollama",
        model: "qwen3:8b",
        tier: "local",
        attempt: 1,
        inputTokens: 0,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: 0,
        latencyMs: 3,
        ok: false,
        errorCode: "E_NETWORK",
        local: true,
      });
    }
    store.close();
    const before = await cli(["run", "--json", "--tier", "local", "hello"]);
    expect(before.code).toBe(1);
    expect((before.json() as { error: Json }).error.code).toBe("E_NETWORK");

    const report = (await json(["improve", "run", "--json"])) as {
      findings: Array<{ key: string; evidence: { task_ids: string[] } }>;
      proposals: Array<{ id: string; title: string; status: string }>;
    };
    const finding = report.findings.find((f) => f.key === "repeated_failure:model:local");
    // The four planted failures, and the task just run, whose call to local failed the same way.
    expect([...(finding?.evidence.task_ids ?? [])].sort()).toEqual([...failing, (before.json() as Json).id].sort());
    const proposal = report.proposals.find((p) => p.title.startsWith("Fall back from local to fast"));
    expect(proposal?.status).toBe("pending");
    const shown = (await json(["proposals", "show", (proposal as { id: string }).id, "--json"])) as { diff: string };
    expect(shown.diff).toContain("+# my own router config: no fallbacks yet"); // started from the user's file
    expect(shown.diff).toContain("local:");

    await json(["proposals", "approve", (proposal as { id: string }).id, "--json"]);
    expect(await json(["config", "path", "--json"])).toMatchObject({ router_source: "managed" });
    anthropic.enqueue({ kind: "text", text: "Hello from the fallback." });
    const after = (await json(["run", "--json", "--tier", "local", "hello"])) as Json;
    expect(after).toMatchObject({ status: "succeeded", tier: "fast", output: "Hello from the fallback." });
  });
});
