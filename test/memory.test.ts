/**
 * Memory end to end through the CLI (in process, a real SQLite file with sqlite-vec, the
 * builtin embedder): the seams `hob memory add|import|search|forget --json`, recall of a
 * finished task into a later similar task's prompt (seen at the fake Anthropic server), the
 * per-section token budget, and what `hob run --explain` reports.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { anthropic, env, home, useFakeModels } from "./cli-fixture.js";
import { runCli, writeHobConfig } from "./helpers.js";

useFakeModels();

const hob = (...argv: string[]) => runCli(argv, { env });

describe("hob memory (the seams)", () => {
  it("add --json → {id}; search --json → items best first with per-signal scores and metadata; forget removes it", async () => {
    const added = await hob("memory", "add", "My sister's birthday is 14 March", "--meta", "who=sister", "--json");
    expect(added.code, added.stderr).toBe(0);
    const { id } = added.json() as { id: string };
    expect(id).toMatch(/^[a-z0-9]{13}$/);
    await hob("memory", "add", "The staging server is staging.example.internal", "--json");
    await hob("memory", "add", "I prefer metric units", "--json");

    const found = await hob("memory", "search", "when is my sister's birthday", "--k", "2", "--json");
    expect(found.code, found.stderr).toBe(0);
    const body = found.json() as {
      mode: string;
      items: Array<{ id: string; text: string; score: number; signals: Record<string, unknown>; metadata: object }>;
    };
    expect(body.mode).toBe("hybrid");
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items[0]).toMatchObject({ id, text: "My sister's birthday is 14 March", metadata: { who: "sister" } });
    expect(body.items[0]?.signals).toMatchObject({ fts_rank: 1, vector_rank: 1 });
    expect(body.items[0]?.score).toBeGreaterThan(body.items[1]?.score ?? 0);

    const forgot = await hob("memory", "forget", id, "--json");
    expect(forgot.json()).toEqual({ forgotten: 1 });
    const again = (await hob("memory", "search", "sister birthday", "--json")).json() as {
      items: Array<{ id: string }>;
    };
    expect(again.items.map((i) => i.id)).not.toContain(id);
    const missing = await hob("memory", "forget", id, "--json");
    expect(missing.code).not.toBe(0);
    expect(missing.json()).toMatchObject({ error: { code: "E_NOT_FOUND" } });
  });

  it("import FILE.jsonl --json → {imported}; metadata kept as given, created_at honoured for recency", async () => {
    const file = join(home, "notes.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ text: "Dentist appointment moved to Friday", metadata: { source: "calendar", n: 3 } }),
        "",
        JSON.stringify({ text: "Dentist said floss more", created_at: "2024-01-15T09:00:00Z" }),
        JSON.stringify({ text: "Passport renewal is due in June", created_at: 1_700_000_000_000 }),
      ].join("\n"),
    );
    const imported = await hob("memory", "import", file, "--json");
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.json()).toMatchObject({ imported: 3, embedded: 3 });
    const found = (await hob("memory", "search", "dentist", "--json")).json() as {
      items: Array<{ text: string; metadata: object; created_at: string; signals: { recency: number } }>;
    };
    const recent = found.items.find((i) => i.text.startsWith("Dentist appointment"));
    const old = found.items.find((i) => i.text.startsWith("Dentist said"));
    expect(recent?.metadata).toEqual({ source: "calendar", n: 3 });
    expect(old?.created_at).toBe("2024-01-15T09:00:00.000Z");
    expect(recent?.signals.recency).toBeGreaterThan(old?.signals.recency ?? 1);
  });

  it("a bad import line names its number and imports nothing", async () => {
    const file = join(home, "bad.jsonl");
    writeFileSync(file, `${JSON.stringify({ text: "fine" })}\n{"text": ""}\n`);
    const res = await hob("memory", "import", file, "--json");
    expect(res.code).not.toBe(0);
    expect(res.json()).toMatchObject({ error: { code: "E_USAGE" } });
    expect((res.json() as { error: { message: string } }).error.message).toContain("line 2");
    expect((await hob("memory", "list", "--json")).json()).toEqual({ items: [] });
    const notDate = join(home, "date.jsonl");
    writeFileSync(notDate, `${JSON.stringify({ text: "x", created_at: "next tuesday" })}\n`);
    expect((await hob("memory", "import", notDate, "--json")).json()).toMatchObject({ error: { code: "E_USAGE" } });
  });

  it("with memory.embedder: none, search is full text and says so", async () => {
    writeHobConfig(home, "memory:\n  embedder: none\n");
    await hob("memory", "add", "The wifi password is on the fridge");
    const body = (await hob("memory", "search", "wifi password", "--json")).json() as {
      mode: string;
      items: Array<{ signals: { vector_rank: number | null; fts_rank: number } }>;
    };
    expect(body.mode).toBe("full-text");
    expect(body.items[0]?.signals).toMatchObject({ fts_rank: 1, vector_rank: null });
  });

  it("FTS5 syntax in a query is text, not a query language", async () => {
    await hob("memory", "add", 'He said "NEAR" the AND gate* (column:1)');
    for (const query of ['"', "NEAR(", "AND OR NOT", "column:text", "*", "-", "'"]) {
      const res = await hob("memory", "search", query, "--json");
      expect(res.code, `${query}: ${res.stdout}${res.stderr}`).toBe(0);
    }
  });
});

describe("memory in tasks", () => {
  it("remembers a finished task and recalls it into a later similar task's prompt, with --explain saying so", async () => {
    anthropic.enqueue({ kind: "text", text: "Use csvkit: csvjson invoices.csv > invoices.json" });
    const first = await hob(
      "run",
      "--agent",
      "general",
      "--tier",
      "fast",
      "convert my invoices CSV file to JSON",
      "--json",
    );
    expect(first.code, first.stderr).toBe(0);
    const firstId = (first.json() as { id: string }).id;
    const remembered = (await hob("memory", "list", "--kind", "task", "--json")).json() as {
      items: Array<{ task_id: string; text: string; success: boolean }>;
    };
    expect(remembered.items[0]).toMatchObject({ task_id: firstId, success: true });
    expect(remembered.items[0]?.text).toContain("Task: convert my invoices CSV file to JSON");

    await hob("memory", "add", "Invoices live in ~/Documents/invoices");
    anthropic.enqueue({ kind: "text", text: "Done." });
    const second = await hob(
      "run",
      "--agent",
      "general",
      "--tier",
      "fast",
      "--explain",
      "turn the invoices csv into json again",
      "--json",
    );
    expect(second.code, second.stderr).toBe(0);
    const system = JSON.stringify(anthropic.messageRequests.at(-1)?.body.system);
    expect(system).toContain("Records of similar earlier tasks");
    expect(system).toContain("convert my invoices CSV file to JSON");
    expect(system).toContain("Invoices live in ~/Documents/invoices");
    const context = (
      second.json() as { context: { sections: Array<{ section: string; included: Array<{ text?: string }> }> } }
    ).context;
    const past = context.sections.find((s) => s.section === "past_tasks");
    expect(past?.included[0]?.text).toContain("convert my invoices CSV file to JSON");
    expect(context.sections.find((s) => s.section === "facts")?.included.length).toBe(1);

    // What was recalled is kept with the task: hob show and the web API's task detail show it.
    const shown = (await hob("show", (second.json() as { id: string }).id, "--json")).json() as {
      context: { sections: Array<{ section: string; included: string[] }> };
    };
    expect(shown.context.sections.find((s) => s.section === "past_tasks")?.included.length).toBeGreaterThan(0);

    // forget --task removes what the first task left: the next recall does not bring it back.
    expect((await hob("memory", "forget", "--task", firstId, "--json")).json()).toEqual({ forgotten: 1 });
    const after = (await hob("memory", "search", "convert invoices csv json", "--kind", "task", "--json")).json() as {
      items: Array<{ task_id: string }>;
    };
    expect(after.items.map((i) => i.task_id)).not.toContain(firstId);
  });

  it("cuts whole memories to the section's budget, lowest-ranked first", async () => {
    writeHobConfig(home, "context:\n  sections:\n    facts: 60\n");
    for (const fact of [
      "The garden shed key is under the blue pot",
      "The garden hose needs a new washer before spring",
      "The garden gate code is 4711 and changes monthly in the garden association newsletter",
    ]) {
      await hob("memory", "add", fact);
    }
    anthropic.enqueue({ kind: "text", text: "ok" });
    const res = await hob(
      "run",
      "--agent",
      "general",
      "--tier",
      "fast",
      "--explain",
      "where is the garden shed key",
      "--json",
    );
    const facts = (
      res.json() as {
        context: {
          sections: Array<{
            section: string;
            used: number;
            budget: number;
            included: Array<{ text: string }>;
            dropped: unknown[];
          }>;
        };
      }
    ).context.sections.find((s) => s.section === "facts");
    expect(facts?.budget).toBe(60);
    expect(facts?.used).toBeLessThanOrEqual(60);
    expect(facts?.included[0]?.text).toContain("shed key");
    expect(facts?.dropped.length).toBeGreaterThan(0);
    const system = JSON.stringify(anthropic.messageRequests.at(-1)?.body.system);
    expect(system).toContain("The garden shed key is under the blue pot");
  });
});
