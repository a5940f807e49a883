/**
 * One writer, one stream: for tasks with tool calls, an approval, a resume and a
 * failure, every row in the database has its event on the bus and every event that
 * stands for a row has it, in the same order, with per-task sequence numbers 1, 2, 3…
 * that continue across the pause. Real store file, fake Anthropic over HTTP, real
 * sandboxed file system.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/index.js";
import { EventBus, type HobEvent } from "../src/events/index.js";
import { createOrchestrator, createRouter } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { FakeAnthropic, type FakeReply } from "./fakes/anthropic.js";
import { tempHome } from "./helpers.js";

const tool = (name: string, input: Record<string, unknown>): FakeReply => ({ kind: "tool_use", name, input });
type Of<T extends HobEvent["type"]> = HobEvent & { type: T };

describe("the task event stream and the rows it writes", () => {
  let anthropic: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let store: Store;
  let bus: EventBus;
  let heard: HobEvent[];

  beforeAll(async () => {
    anthropic = await FakeAnthropic.start();
  });
  afterAll(() => anthropic.close());
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    mkdirSync(join(home, "workspace"), { recursive: true });
    writeFileSync(join(home, "workspace", "todo.txt"), "call mum\n");
    store = Store.open(join(home, "hob.db"));
    bus = new EventBus();
    heard = [];
    bus.on((event) => heard.push(event));
    anthropic.reset();
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  function orchestrator() {
    const config = loadConfig({
      HOB_HOME: home,
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: "sk-ant-test-key-0123456789",
      OLLAMA_HOST: "http://127.0.0.1:47",
    });
    return createOrchestrator(config, store, createRouter(config, store), bus);
  }

  /** Asserts that the rows of a task and the events the bus carried for it match one to one, in order. */
  function expectRowsMatchEvents(taskId: string): HobEvent[] {
    const events = heard.filter((e) => e.task_id === taskId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe("task-created");

    const task = store.tasks.get(taskId);
    expect(task.lastSeq).toBe(events.at(-1)?.seq);

    const calls = events.filter((e): e is Of<"model-call"> => e.type === "model-call");
    expect(store.modelCalls.forTask(taskId).map((c) => [c.provider, c.model, c.attempt, c.purpose, c.ok])).toEqual(
      calls.map((c) => [c.provider, c.model, c.attempt, c.purpose, c.ok]),
    );

    const steps = events.filter((e): e is Of<"tool-call"> => e.type === "tool-call" && e.state !== "executing");
    expect(store.steps.forTask(taskId).map((s) => [s.callId, s.tool, s.status, s.result])).toEqual(
      steps.map((s) => [s.call_id, s.tool, s.state, s.output]),
    );

    const approvalIds = events
      .filter((e): e is Of<"approval-requested"> => e.type === "approval-requested")
      .map((e) => e.approval_id);
    const rows = store.approvals.list({ taskId });
    expect(rows.map((a) => a.id).sort()).toEqual([...approvalIds].sort());
    for (const row of rows) {
      const about = events.filter((e) => "approval_id" in e && e.approval_id === row.id).map((e) => e.type);
      const decided = events.find(
        (e): e is Of<"approval-decided"> => e.type === "approval-decided" && e.approval_id === row.id,
      );
      expect(row.status).toBe(about.includes("approval-used") ? "used" : (decided?.decision ?? "pending"));
      expect(row.decidedBy).toBe(decided?.decided_by ?? null);
    }
    return events;
  }

  it("records a task that pauses for approval, is approved, resumes and finishes — event by event", async () => {
    const hob = orchestrator();
    anthropic.enqueue(
      tool("write_file", { path: "fresh.txt", content: "made by the task" }), // new file: runs
      tool("write_file", { path: "todo.txt", content: "call mum\ncall dad\n" }), // the user's file: asks
    );
    const listened: HobEvent[] = [];
    const paused = await hob.run({
      input: "add dad to my todo",
      agent: "code",
      tier: "fast",
      onEvent: (e) => listened.push(e),
    });
    expect(paused.status).toBe("awaiting_approval");
    expect(store.tasks.get(paused.id).status).toBe("awaiting_approval");
    const approvalId = paused.approval?.id as string;

    hob.approvals.decide(approvalId, "approved", "test-user");
    anthropic.enqueue({ kind: "text", text: "Added dad." });
    const done = await hob.approvals.resume(approvalId, { onEvent: (e) => listened.push(e) });
    expect(done.status).toBe("succeeded");

    const events = expectRowsMatchEvents(paused.id);
    // The task's own listener heard what the bus carried, except the decision (made outside a run).
    expect(listened.map((e) => e.seq)).toEqual(events.filter((e) => e.type !== "approval-decided").map((e) => e.seq));
    const kinds = events.map((e) => (e.type === "tool-call" ? `${e.type}:${e.state}` : e.type));
    // Streamed text arrives in chunks; one entry per run of them.
    expect(kinds.filter((kind, i) => kind !== "text-delta" || kinds[i - 1] !== "text-delta")).toEqual([
      "task-created",
      "task-started",
      "context-packed",
      "model-call",
      "tool-call:executing",
      "tool-call:success",
      "model-call",
      "tool-call:executing",
      "approval-requested",
      "tool-call:awaiting_approval",
      "task-paused",
      "approval-decided",
      "task-resumed",
      "context-packed",
      "tool-call:executing", // the call that waited runs now, with the approval it was given
      "approval-used",
      "tool-call:success",
      "text-delta",
      "model-call",
      "task-finished",
    ]);
    expect(store.approvals.get(approvalId)).toMatchObject({ status: "used", decidedBy: "test-user" });
    expect(store.tasks.get(paused.id)).toMatchObject({ status: "succeeded", output: "Added dad." });
    // A client that reconnects after seq 10 gets exactly what came later.
    expect(bus.since(paused.id, 10).map((e) => e.seq)).toEqual(events.slice(10).map((e) => e.seq));
  });

  it("records a denied approval and a failed task the same way", async () => {
    const hob = orchestrator();
    anthropic.enqueue(tool("delete_file", { path: "todo.txt" }));
    const paused = await hob.run({ input: "delete my todo", agent: "code", tier: "fast" });
    hob.approvals.decide(paused.approval?.id as string, "denied", "cli");
    // After the denial the model reads a missing file, then says nothing and writes nothing: the code agent's
    // result is not accepted, so the task fails.
    anthropic.enqueue(tool("read_file", { path: "missing.txt" }), { kind: "text", text: "" });
    const failed = await hob.approvals.resume(paused.approval?.id as string, {});
    expect(failed.status).toBe("failed");

    const events = expectRowsMatchEvents(paused.id);
    const last = events.at(-1) as Of<"task-failed">;
    expect(last.type).toBe("task-failed");
    expect(store.tasks.get(paused.id)).toMatchObject({ status: "failed", errorCode: last.error.code });
    expect(
      events.filter((e) => e.type === "tool-call" && e.state !== "executing").map((e) => (e as Of<"tool-call">).state),
    ).toEqual(["awaiting_approval", "denied", "error"]);
  });

  it("never shows a listener an event whose row could not be written", async () => {
    const hob = orchestrator();
    anthropic.enqueue(tool("delete_file", { path: "todo.txt" }));
    const paused = await hob.run({ input: "delete my todo", agent: "code", tier: "fast" });
    const approvalId = paused.approval?.id as string;
    hob.approvals.decide(approvalId, "denied", "cli");
    const before = heard.length;
    // A second decision is refused by the owner before anything is published or written.
    expect(() => hob.approvals.decide(approvalId, "approved", "cli")).toThrow(/denied, not pending/);
    expect(heard.length).toBe(before);
    expect(store.tasks.get(paused.id).lastSeq).toBe(heard.at(-1)?.seq);
  });
});
