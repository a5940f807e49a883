import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers.js";
import { HobError } from "../errors/index.js";
import { Database } from "./driver.js";
import { MIGRATIONS, SCHEMA_VERSION, Store } from "./index.js";

describe("store", () => {
  let home: string;
  let cleanup: () => void;
  let file: string;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    file = join(home, "hob.db");
  });
  afterEach(() => cleanup());

  it("opens in WAL mode at the current schema version", () => {
    const store = Store.open(file);
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(store.db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    store.close();
  });

  it("migrates a database made by an older hob and keeps its rows", () => {
    // A version-1 database, as the first release wrote it, with one finished task.
    const old = Store.open(file, { migrations: MIGRATIONS.slice(0, 1), sweepInterrupted: false });
    const task = { id: "0000000001abc" };
    old.db
      .prepare(
        `INSERT INTO tasks (id, created_at, updated_at, input, status, tier, model, output, duration_ms)
         VALUES (?, 1, 2, 'old task', 'succeeded', 'fast', 'm', 'old answer', 5)`,
      )
      .run(task.id);
    old.close();
    expect(new Database(file).pragma("user_version", { simple: true })).toBe(1);

    const store = Store.open(file);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    const migrated = store.tasks.get(task.id);
    expect(migrated).toMatchObject({ input: "old task", output: "old answer", status: "succeeded", sessionId: null });
    // The new schema is usable on the old data.
    const session = store.createSession();
    const next = store.tasks.create({
      input: "new",
      agent: "general",
      tier: "fast",
      tierReason: "r",
      model: "m",
      sessionId: session,
    });
    expect(store.tasks.get(next.id).sessionId).toBe(session);
    store.close();
  });

  it("refuses a database from a newer hob instead of damaging it", () => {
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => Store.open(file)).toThrowError(HobError);
    try {
      Store.open(file);
    } catch (error) {
      expect((error as HobError).code).toBe("E_STORE");
      expect((error as HobError).message).toContain("newer");
    }
  });

  it("explains when the database cannot be opened", () => {
    try {
      Store.open(join(home, "missing-dir-is-a-file", "x.db"), {});
    } catch {
      // directory creation succeeds; fall through to the real case below
    }
    const error = (() => {
      try {
        Store.open(home); // a directory, not a file
      } catch (e) {
        return e as HobError;
      }
    })();
    expect(error?.code).toBe("E_STORE");
    expect(error?.hint).toContain("HOB_HOME");
  });

  it("finds tasks by id or unique prefix, and says when it cannot", () => {
    let now = 1_700_000_000_000;
    const store = Store.open(file, { now: () => now++ });
    const a = store.tasks.create({ input: "a", agent: "general", tier: "fast", tierReason: "r", model: "m" });
    const b = store.tasks.create({ input: "b", agent: "general", tier: "fast", tierReason: "r", model: "m" });
    expect(store.tasks.get(a.id).input).toBe("a");
    expect(store.tasks.get(b.id.slice(0, 12)).input).toBe("b");
    const shared = a.id.slice(0, 4);
    expect(() => store.tasks.get(shared)).toThrowError(/More than one task/);
    expect(() => store.tasks.get("zzzz_nope")).toThrowError(/No task/);
    expect(() => store.tasks.get("%")).toThrowError(/No task/);
    expect(() => store.tasks.get(`${a.id.slice(0, 3)}_`)).toThrowError(/No task/);
    expect(() => store.tasks.get("")).toThrowError(/More than one task/);
    store.close();
  });

  it("resolves a prefix from a range of the primary key, as the LIKE scan did", () => {
    const store = Store.open(file);
    // Neighbours that share ever longer prefixes, and ids just past the prefix's range.
    const ids = ["0m5aaaa00001", "0m5aaab00001", "0m5aaab00002", "0m5aab000001", "0m5ab0000001", "0m6000000000"];
    for (const id of ids) {
      store.db
        .prepare("INSERT INTO tasks (id, created_at, updated_at, input, status) VALUES (?, 1, 1, 'x', 'succeeded')")
        .run(id);
    }
    const like = (prefix: string) =>
      (
        store.db
          .prepare("SELECT id FROM tasks WHERE id LIKE ? ESCAPE '\\' ORDER BY id")
          .all(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) as Array<{ id: string }>
      ).map((r) => r.id);
    for (const prefix of ["0m5aaaa", "0m5aaab", "0m5aaab00002", "0m5aab", "0m5ab", "0m5", "0m6", "0m7", "0m4", "z"]) {
      const matches = like(prefix);
      if (matches.length === 1) expect(store.tasks.get(prefix).id).toBe(matches[0]);
      else if (matches.length === 0) expect(() => store.tasks.get(prefix)).toThrowError(/No task/);
      else expect(() => store.tasks.get(prefix)).toThrowError(/More than one task/);
    }
    expect(() => store.tasks.get("0m5")).toThrowError(
      /0m5aaaa00001, 0m5aaab00001, 0m5aaab00002, 0m5aab000001, 0m5ab0000001\./,
    );
    store.close();
  });

  it("marks tasks of dead processes as interrupted on open, and leaves live ones alone", () => {
    const store = Store.open(file);
    const dead = store.tasks.create({ input: "dead", agent: "general", tier: "fast", tierReason: "r", model: "m" });
    const alive = store.tasks.create({ input: "alive", agent: "general", tier: "fast", tierReason: "r", model: "m" });
    store.tasks.saveProgress(dead.id, "partial answer");
    // Pretend another process ran them: one gone (pid 2^22+1 is above Linux's pid_max), one alive.
    store.db.prepare("UPDATE tasks SET pid = ? WHERE id = ?").run(4_194_305, dead.id);
    store.db.prepare("UPDATE tasks SET pid = ? WHERE id = ?").run(process.ppid, alive.id);
    store.close();

    const reopened = Store.open(file);
    expect(reopened.interruptedOnOpen).toBe(1);
    expect(reopened.tasks.get(dead.id)).toMatchObject({
      status: "interrupted",
      errorCode: "E_INTERRUPTED",
      output: "partial answer",
    });
    expect(reopened.tasks.get(alive.id).status).toBe("running");
    reopened.close();
  });

  it("aggregates stats per model and tier within a window", () => {
    let now = 1_000_000;
    const store = Store.open(file, { now: () => now });
    const add = (tier: string, model: string, status: "succeeded" | "failed", cost: number, at: number) => {
      now = at;
      const t = store.tasks.create({ input: "x", agent: "general", tier, tierReason: "r", model });
      store.modelCalls.insert({
        taskId: t.id,
        createdAt: at,
        provider: "anthropic",
        model,
        tier,
        attempt: 1,
        inputTokens: 100,
        outputTokens: 10,
        cacheReadTokens: 5,
        cacheWriteTokens: 0,
        costUsd: cost,
        latencyMs: 7,
        ok: status === "succeeded",
        errorCode: status === "failed" ? "E_AUTH" : null,
      });
      store.tasks.finish(t.id, { status, output: "", durationMs: 1 });
    };
    add("fast", "claude-haiku-4-5", "succeeded", 0.001, 1_000);
    add("fast", "claude-haiku-4-5", "failed", 0, 2_000);
    add("smart", "claude-sonnet-4-5", "succeeded", 0.01, 3_000);

    const all = store.stats(null);
    expect(all.tasks).toMatchObject({ total: 3, succeeded: 2, failed: 1, success_rate: 0.667 });
    expect(all.totals).toMatchObject({ calls: 3, failed_calls: 1, input_tokens: 300, cache_read_tokens: 15 });
    expect(all.totals.cost_usd).toBeCloseTo(0.011, 9);
    expect(all.by_model.map((m) => [m.model, m.calls])).toEqual([
      ["claude-sonnet-4-5", 1],
      ["claude-haiku-4-5", 2],
    ]);
    expect(all.by_tier.find((t) => t.tier === "fast")).toMatchObject({ tasks: 2, succeeded: 1, success_rate: 0.5 });

    const recent = store.stats(2_500);
    expect(recent.tasks.total).toBe(1);
    expect(recent.by_model).toHaveLength(1);
    expect(store.tasks.list({ limit: 10, status: "failed" })).toHaveLength(1);
    expect(store.tasks.list({ limit: 2 }).map((t) => t.tier)).toEqual(["smart", "fast"]);
    store.close();
  });
});
