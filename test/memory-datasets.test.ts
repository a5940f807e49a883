/**
 * The labelled memory datasets stay well formed: data/memory/retrieval-set.json (memories
 * and queries with relevant memory ids) and data/memory/cache-pairs.json (request pairs
 * a cached answer does or does not serve). bench/memory-embedder.ts measures on them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers.js";

interface Memory {
  id: string;
  text: string;
  kind: "task" | "fact";
  created_days_ago: number;
  success: boolean | null;
  metadata: { lang?: string; group?: string; attempt?: number; succeeded?: boolean; succeeded_in?: string | null };
}
interface Query {
  id: string;
  text: string;
  relevant: string[];
  lang: string;
  kind: string;
}
interface Pair {
  a: string;
  b: string;
  same: boolean;
  hard?: boolean;
}

const LANGS = ["en", "de", "ja", "es", "fr"];
const QUERY_KINDS = ["paraphrase", "keyword", "typo", "cross-lingual", "fact"];

function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(REPO_ROOT, "data/memory", name), "utf8")) as T;
}

describe("data/memory/retrieval-set.json", () => {
  const set = load<{ version: number; memories: Memory[]; queries: Query[] }>("retrieval-set.json");
  const byId = new Map(set.memories.map((m) => [m.id, m]));

  it("parses as version 1 with about 300 memories and 120 queries", () => {
    expect(set.version).toBe(1);
    expect(set.memories.length).toBeGreaterThanOrEqual(280);
    expect(set.memories.length).toBeLessThanOrEqual(320);
    expect(set.queries.length).toBeGreaterThanOrEqual(110);
    expect(set.queries.length).toBeLessThanOrEqual(135);
  });

  it("has unique memory and query ids and no repeated texts", () => {
    expect(byId.size).toBe(set.memories.length);
    expect(new Set(set.queries.map((q) => q.id)).size).toBe(set.queries.length);
    expect(new Set(set.memories.map((m) => m.text)).size).toBe(set.memories.length);
    expect(new Set(set.queries.map((q) => q.text)).size).toBe(set.queries.length);
  });

  it("gives every memory a kind, an age, an outcome that fits its kind and a language", () => {
    for (const m of set.memories) {
      expect(["task", "fact"]).toContain(m.kind);
      expect(m.text.trim().length).toBeGreaterThan(10);
      expect(Number.isInteger(m.created_days_ago) && m.created_days_ago >= 0).toBe(true);
      if (m.kind === "fact") expect(m.success).toBeNull();
      else expect(typeof m.success).toBe("boolean");
      expect(LANGS).toContain(m.metadata.lang);
    }
  });

  it("holds about 40 user facts and about 15 % non-English memories in all four languages", () => {
    const facts = set.memories.filter((m) => m.kind === "fact").length;
    expect(facts).toBeGreaterThanOrEqual(35);
    expect(facts).toBeLessThanOrEqual(45);
    const foreign = set.memories.filter((m) => m.metadata.lang !== "en");
    const share = foreign.length / set.memories.length;
    expect(share).toBeGreaterThanOrEqual(0.12);
    expect(share).toBeLessThanOrEqual(0.18);
    for (const lang of ["de", "ja", "es", "fr"]) {
      expect(foreign.filter((m) => m.metadata.lang === lang).length).toBeGreaterThanOrEqual(5);
    }
  });

  it("has near-duplicate attempts: each group a failed and a later successful one, the failure naming the success", () => {
    const groups = new Map<string, Memory[]>();
    for (const m of set.memories) {
      if (m.metadata.group) groups.set(m.metadata.group, [...(groups.get(m.metadata.group) ?? []), m]);
    }
    expect(groups.size).toBeGreaterThanOrEqual(15);
    for (const [, members] of groups) {
      const failed = members.filter((m) => m.success === false);
      const succeeded = members.filter((m) => m.success === true);
      expect(failed.length).toBeGreaterThanOrEqual(1);
      expect(succeeded).toHaveLength(1);
      for (const m of members) expect(m.metadata.succeeded).toBe(m.success);
      for (const m of failed) {
        expect(m.metadata.succeeded_in).toBe(succeeded[0]?.id);
        // The successful attempt came later (fewer days ago).
        expect(m.created_days_ago).toBeGreaterThanOrEqual(succeeded[0]?.created_days_ago ?? 0);
      }
    }
  });

  it("gives every query 1–3 relevant memories that exist, a known kind and language", () => {
    for (const q of set.queries) {
      expect(q.relevant.length, q.id).toBeGreaterThanOrEqual(1);
      expect(q.relevant.length, q.id).toBeLessThanOrEqual(3);
      expect(new Set(q.relevant).size).toBe(q.relevant.length);
      for (const id of q.relevant) expect(byId.has(id), `${q.id} → ${id}`).toBe(true);
      expect(QUERY_KINDS).toContain(q.kind);
      expect(LANGS).toContain(q.lang);
    }
  });

  it("mixes query kinds, with fact queries pointing at facts and cross-lingual ones crossing languages", () => {
    for (const kind of QUERY_KINDS) {
      expect(set.queries.filter((q) => q.kind === kind).length, kind).toBeGreaterThanOrEqual(15);
    }
    for (const q of set.queries.filter((q) => q.kind === "fact")) {
      expect(
        q.relevant.some((id) => byId.get(id)?.kind === "fact"),
        q.id,
      ).toBe(true);
    }
    for (const q of set.queries.filter((q) => q.kind === "cross-lingual")) {
      for (const id of q.relevant) expect(byId.get(id)?.metadata.lang, q.id).not.toBe(q.lang);
    }
    expect(set.queries.filter((q) => q.lang !== "en").length).toBeGreaterThanOrEqual(20);
  });

  it("labels both attempts relevant when a query targets a job that failed and then succeeded", () => {
    const grouped = set.queries.filter((q) => q.relevant.some((id) => byId.get(id)?.metadata.group));
    expect(grouped.length).toBeGreaterThanOrEqual(15);
    for (const q of grouped) {
      const groups = new Set(q.relevant.map((id) => byId.get(id)?.metadata.group).filter(Boolean));
      for (const group of groups) {
        const successful = set.memories.find((m) => m.metadata.group === group && m.success);
        expect(q.relevant, q.id).toContain(successful?.id);
      }
    }
  });
});

describe("data/memory/cache-pairs.json", () => {
  const { version, pairs } = load<{ version: number; pairs: Pair[] }>("cache-pairs.json");

  it("parses as version 1 with about 300 pairs, balanced between same and different", () => {
    expect(version).toBe(1);
    expect(pairs.length).toBeGreaterThanOrEqual(280);
    expect(pairs.length).toBeLessThanOrEqual(320);
    const same = pairs.filter((p) => p.same).length;
    expect(same / pairs.length).toBeGreaterThanOrEqual(0.4);
    expect(same / pairs.length).toBeLessThanOrEqual(0.6);
  });

  it("has two different non-empty texts per pair and no pair twice", () => {
    const keys = new Set<string>();
    for (const p of pairs) {
      expect(typeof p.same).toBe("boolean");
      expect(p.a.trim()).not.toBe("");
      expect(p.b.trim()).not.toBe("");
      expect(p.a).not.toBe(p.b);
      keys.add([p.a, p.b].sort().join("\u0000"));
    }
    expect(keys.size).toBe(pairs.length);
  });

  it("makes at least 40 % of the different pairs hard (a changed number, negation, date or direction)", () => {
    const different = pairs.filter((p) => !p.same);
    for (const p of different) expect(typeof p.hard).toBe("boolean");
    expect(different.filter((p) => p.hard).length / different.length).toBeGreaterThanOrEqual(0.4);
    expect(pairs.filter((p) => p.same && p.hard !== undefined)).toEqual([]);
  });
});
