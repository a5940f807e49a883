import { describe, expect, it } from "vitest";
import { ftsQuery } from "./fts-query.js";
import { rankCandidates } from "./ranking.js";

const NOW = Date.parse("2026-11-29T00:00:00Z");
const DAY = 86_400_000;

describe("rankCandidates", () => {
  it("fuses the two lists by reciprocal rank: a memory both lists rank well beats one list's first", () => {
    const ranked = rankCandidates(
      [
        { id: "both", text: "a", createdAt: NOW, success: null, ftsRank: 2, vectorRank: 2 },
        { id: "fts-only", text: "b", createdAt: NOW, success: null, ftsRank: 1 },
        { id: "vec-only", text: "c", createdAt: NOW, success: null, vectorRank: 1 },
      ],
      { now: NOW, halfLifeDays: 90 },
    );
    expect(ranked.map((r) => r.id)).toEqual(["both", "fts-only", "vec-only"]);
    expect(ranked[0]?.signals).toMatchObject({ fts_rank: 2, vector_rank: 2, recency: 1, outcome: 1 });
  });

  it("breaks a tie by outcome (a success before a failure) and by recency (newer first)", () => {
    const tie = { text: "", ftsRank: 1, vectorRank: 1 };
    const outcome = rankCandidates(
      [
        { ...tie, id: "failed", text: "x", createdAt: NOW, success: false },
        { ...tie, id: "succeeded", text: "y", createdAt: NOW, success: true },
      ],
      { now: NOW, halfLifeDays: 90 },
    );
    expect(outcome.map((r) => r.id)).toEqual(["succeeded", "failed"]);
    const recency = rankCandidates(
      [
        { ...tie, id: "old", text: "x", createdAt: NOW - 365 * DAY, success: null },
        { ...tie, id: "new", text: "y", createdAt: NOW - DAY, success: null },
      ],
      { now: NOW, halfLifeDays: 90 },
    );
    expect(recency.map((r) => r.id)).toEqual(["new", "old"]);
    expect(recency[1]?.signals.recency).toBeCloseTo(0.5 ** (365 / 90), 5);
  });

  it("keeps one of memories that differ only in case, spacing and punctuation (the better ranked)", () => {
    const ranked = rankCandidates(
      [
        { id: "a", text: "Buy oat milk!", createdAt: NOW, success: null, ftsRank: 2 },
        { id: "b", text: "buy  oat milk", createdAt: NOW, success: null, ftsRank: 1 },
        { id: "c", text: "buy oat cookies", createdAt: NOW, success: null, ftsRank: 3 },
      ],
      { now: NOW, halfLifeDays: 90 },
    );
    expect(ranked.map((r) => r.id)).toEqual(["b", "c"]);
  });
});

describe("ftsQuery", () => {
  it("quotes every word (any script) and ORs them; FTS5 syntax is just text", () => {
    expect(ftsQuery('convert "invoices" NEAR(csv) to json*')).toBe(
      '"convert" OR "invoices" OR "near" OR "csv" OR "json"',
    );
    expect(ftsQuery("Rechnungen in München zusammenfassen")).toBe('"rechnungen" OR "münchen" OR "zusammenfassen"');
    expect(ftsQuery("請求書をまとめる")).toBe('"請 求 書 を ま と め る"'); // a phrase of its characters
    expect(ftsQuery('" * - ( )')).toBe("");
  });
});
