import { describe, expect, it } from "vitest";
import { HobError } from "../errors/index.js";
import {
  type ContextBudget,
  type ContextPiece,
  type ContextSource,
  checkContextSource,
  contextPiece,
  estimateTokens,
  gatherContext,
  layoutsOf,
  packContext,
} from "./index.js";

/**
 * Real token counts of each sample, computed once (not at test time: no tokenizer is a
 * dependency) with gpt-tokenizer@4.0.0 (OpenAI's cl100k_base and o200k_base) and
 * @anthropic-ai/tokenizer@0.0.4 (Anthropic's published tokenizer, Claude 2's), installed in a
 * scratch folder outside the project. Claude 3 and later tokenizers are not public.
 */
const REFERENCE = [
  {
    name: "english",
    cl100k: 37,
    o200k: 37,
    claude2: 37,
    text: "The quick brown fox jumps over the lazy dog. Budgets that overcount leave a little room unused; budgets that undercount overflow the model's context window, which fails the request.",
  },
  {
    name: "typescript",
    cl100k: 80,
    o200k: 79,
    claude2: 92,
    text: 'export function packContext(pieces: ContextPiece[], budget: ContextBudget): PackedContext {\n  const bySection = new Map<string, ContextPiece[]>();\n  for (const piece of pieces) {\n    const list = bySection.get(piece.section) ?? [];\n    list.push(piece);\n    bySection.set(piece.section, list);\n  }\n  return { text: "", sections: [] };\n}\n',
  },
  {
    name: "python",
    cl100k: 57,
    o200k: 57,
    claude2: 69,
    text: 'def word_count(path: str) -> int:\n    with open(path, encoding="utf-8") as handle:\n        return sum(len(line.split()) for line in handle)\n\nif __name__ == "__main__":\n    import sys\n    print(word_count(sys.argv[1]))\n',
  },
  {
    name: "json",
    cl100k: 42,
    o200k: 42,
    claude2: 40,
    text: '{"name": "word-count", "inputs": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}, "version": 3}',
  },
  {
    name: "numbers",
    cl100k: 46,
    o200k: 46,
    claude2: 42,
    text: "Order 48213 shipped 2024-11-07 at 14:32:09; total 1,284.50 EUR for 17 items (ids 90211, 90212, 90347).",
  },
  {
    name: "hex",
    cl100k: 66,
    o200k: 66,
    claude2: 65,
    text: "sha256 3f9a2b7c41d0e8f5a6b9c2d1e0f4a3b7c8d9e6f5a4b3c2d1e0f9a8b7c6d5e4f3",
  },
  {
    name: "german",
    cl100k: 32,
    o200k: 22,
    claude2: 35,
    text: "Die Straßenbahn fährt über die Brücke, während die Bürger ihre Lebensmittel in großen Körben nach Hause tragen.",
  },
  {
    name: "russian",
    cl100k: 43,
    o200k: 30,
    claude2: 46,
    text: "Быстрая коричневая лиса прыгает через ленивую собаку, а затем убегает в густой лес.",
  },
  {
    name: "hindi",
    cl100k: 83,
    o200k: 30,
    claude2: 86,
    text: "तेज़ भूरी लोमड़ी आलसी कुत्ते के ऊपर से कूदती है और फिर घने जंगल में भाग जाती है।",
  },
  {
    name: "chinese",
    cl100k: 58,
    o200k: 35,
    claude2: 49,
    text: "敏捷的棕色狐狸跳过了那只懒狗，然后跑进了茂密的森林。预算高估只会浪费一点空间。",
  },
  {
    name: "japanese",
    cl100k: 46,
    o200k: 32,
    claude2: 43,
    text: "素早い茶色の狐が怠け者の犬を飛び越えて、深い森の中へ走っていきました。",
  },
  {
    name: "korean",
    cl100k: 38,
    o200k: 28,
    claude2: 41,
    text: "빠른 갈색 여우가 게으른 개를 뛰어넘고 울창한 숲으로 달려갔습니다.",
  },
  {
    name: "emoji",
    cl100k: 24,
    o200k: 19,
    claude2: 23,
    text: "Shipped! 🎉🚀 Thanks everyone 🙏👍 — see you next week ✨",
  },
  {
    name: "arabic",
    cl100k: 49,
    o200k: 25,
    claude2: 59,
    text: "الثعلب البني السريع يقفز فوق الكلب الكسول ثم يهرب إلى الغابة الكثيفة.",
  },
  {
    name: "skills",
    cl100k: 45,
    o200k: 45,
    claude2: 47,
    text: '- word-count: Counts the words in a text file Inputs: {"type":"object","properties":{"path":{"type":"string"}}}\n- pdf-forms (instructions): Fill in PDF forms with the scripts in this folder.',
  },
  {
    name: "french",
    cl100k: 26,
    o200k: 20,
    claude2: 33,
    text: "Les élèves étaient déjà là quand le professeur a expliqué pourquoi l'hôpital fermait à midi.",
  },
  {
    name: "chineseRare",
    cl100k: 76,
    o200k: 47,
    claude2: 70,
    text: "鬱鬱蔥蔥的山巒間，饕餮與麒麟的傳說流傳已久，耄耋老人講述著魑魅魍魎的故事。",
  },
  {
    name: "germanLong",
    cl100k: 42,
    o200k: 31,
    claude2: 40,
    text: "Donaudampfschifffahrtsgesellschaftskapitän und Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz.",
  },
  {
    name: "uuid",
    cl100k: 46,
    o200k: 46,
    claude2: 49,
    text: "id=550e8400-e29b-41d4-a716-446655440000 ref=6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  },
  {
    name: "base64",
    cl100k: 53,
    o200k: 49,
    claude2: 45,
    text: "aGVsbG8gd29ybGQhIFRoaXMgaXMgYSBiYXNlNjQgc3RyaW5nIHdpdGggbWl4ZWQgQ2FzZQ==",
  },
  {
    name: "shell",
    cl100k: 32,
    o200k: 32,
    claude2: 31,
    text: "  $ git log --oneline | head -5 && npx vitest run src/context --reporter=dot 2>&1 | tail -20",
  },
];

describe("estimateTokens", () => {
  it.each(REFERENCE)("errs high, by at most half, on $name", ({ text, cl100k, o200k, claude2 }) => {
    const real = Math.max(cl100k, o200k, claude2);
    const estimate = estimateTokens(text);
    expect(estimate).toBeGreaterThanOrEqual(real);
    expect(estimate).toBeLessThanOrEqual(real * 1.5);
  });

  it("counts nothing as nothing and anything as at least one", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("a")).toBe(1);
    expect(estimateTokens(" ")).toBe(1);
  });

  it("never falls when text grows", () => {
    const text = REFERENCE.map((r) => r.text).join("\n");
    let last = 0;
    for (let end = 0; end <= text.length; end += 7) {
      const estimate = estimateTokens(text.slice(0, end));
      expect(estimate).toBeGreaterThanOrEqual(last);
      last = estimate;
    }
  });

  it("of texts joined at a line break is at most the sum of their estimates", () => {
    for (const a of REFERENCE)
      for (const b of REFERENCE)
        expect(estimateTokens(`${a.text}\n${b.text}`)).toBeLessThanOrEqual(
          estimateTokens(a.text) + estimateTokens("\n") + estimateTokens(b.text),
        );
  });

  it("weighs scripts that take more tokens per character more", () => {
    const per = (text: string) => estimateTokens(text.repeat(20)) / [...text].length / 20;
    expect(per("hello world ")).toBeLessThan(per("привет мир "));
    expect(per("привет мир ")).toBeLessThan(per("你好世界"));
    expect(per("3f9a2b7c")).toBeGreaterThan(per("abcdefgh"));
    expect(per("🎉")).toBeGreaterThanOrEqual(3);
  });
});

const piece = (section: string, id: string, text: string, score: number): ContextPiece =>
  contextPiece({ source: section, section, id, text, score });

/** n words: about 1.45 estimated tokens each. */
const words = (n: number) => Array.from({ length: n }, () => "word").join(" ");

describe("packContext", () => {
  const unlimited: ContextBudget = { total: Number.POSITIVE_INFINITY, sections: {} };

  it("renders each non-empty section under its heading, most relevant first, with its footer", () => {
    const packed = packContext(
      [piece("skills", "b", "- b", 1), piece("skills", "a", "- a", 2), piece("memory", "m", "- m", 1)],
      unlimited,
      { skills: { heading: "Skills:", footer: "Read them first." }, memory: { heading: "Remembered:" } },
    );
    expect(packed.text).toBe("\n\nSkills:\n- a\n- b\nRead them first.\n\nRemembered:\n- m");
    expect(packed.sections.map((s) => [s.section, s.included])).toEqual([
      ["skills", ["a", "b"]],
      ["memory", ["m"]],
    ]);
  });

  it("is empty when there is nothing, and names a section with no layout after itself", () => {
    expect(packContext([], unlimited)).toEqual({ text: "", tokens: 0, sections: [], sectionTexts: {} });
    const packed = packContext([piece("notes", "n", "- n", 1)], unlimited);
    expect(packed.text).toBe("\n\nnotes:\n- n");
    expect(packed.sectionTexts).toEqual({ notes: "\n\nnotes:\n- n" });
  });

  it("keeps each section within its budget and all of them within the total", () => {
    const pieces = [
      ...Array.from({ length: 10 }, (_, i) => piece("skills", `s${i}`, words(10 + i), 10 - i)),
      ...Array.from({ length: 10 }, (_, i) => piece("memory", `m${i}`, words(10 + i), 10 - i)),
    ];
    for (const budget of [
      { total: 1000, sections: { skills: 40, memory: 60 } },
      { total: 70, sections: { skills: 40, memory: 60 } },
      { total: 25, sections: { skills: 40, memory: 60 } },
      { total: 5, sections: { skills: 40, memory: 60 } },
    ]) {
      const packed = packContext(pieces, budget);
      for (const section of packed.sections) {
        expect(section.used).toBeLessThanOrEqual(section.budget);
        expect(section.included.length + section.dropped.length).toBe(10);
      }
      expect(packed.tokens).toBe(packed.sections.reduce((sum, s) => sum + s.used, 0));
      expect(packed.tokens).toBeLessThanOrEqual(budget.total);
      expect(estimateTokens(packed.text)).toBeLessThanOrEqual(packed.tokens);
    }
    // The total is short: the first section (in the budget's order) fills first.
    const short = packContext(pieces, { total: 40, sections: { memory: 40, skills: 40 } });
    expect(short.sections.map((s) => s.section)).toEqual(["memory", "skills"]);
    expect(short.sections[0]?.included.length).toBeGreaterThan(0);
    expect(short.sections[1]?.included).toEqual([]);
  });

  it("ranks by score, keeps ties in the order they came, and packs the same input the same way", () => {
    const pieces = [
      piece("s", "low", "- low", 1),
      piece("s", "tie-1", "- tie one", 5),
      piece("s", "high", "- high", 9),
      piece("s", "tie-2", "- tie two", 5),
      piece("s", "nan", "- nan", Number.NaN),
    ];
    const packed = packContext(pieces, unlimited);
    expect(packed.sections[0]?.included).toEqual(["high", "tie-1", "tie-2", "low", "nan"]);
    expect(packContext([...pieces], unlimited)).toEqual(packed);
    // Only the budget's room decides, never the call: same input, same output.
    const tight = { total: 20, sections: { s: 12 } };
    expect(packContext(pieces, tight)).toEqual(packContext(pieces, tight));
  });

  it("drops and reports a piece bigger than the room, and still fits smaller ones after it", () => {
    const packed = packContext(
      [piece("s", "first", "- first", 3), piece("s", "huge", words(500), 2), piece("s", "small", "- small", 1)],
      { total: 100, sections: { s: 50 } },
      { s: { heading: "S:" } },
    );
    expect(packed.sections).toEqual([
      { section: "s", used: packed.tokens, budget: 50, included: ["first", "small"], dropped: ["huge"] },
    ]);
    expect(packed.text).toBe("\n\nS:\n- first\n- small");
  });

  it("counts the heading and footer against the section, and reports a section nothing fitted", () => {
    const layout = { s: { heading: words(20), footer: words(20) } };
    const packed = packContext([piece("s", "a", "- a", 1)], { total: 100, sections: { s: 20, other: 10 } }, layout);
    expect(packed.text).toBe("");
    expect(packed.sections).toEqual([
      { section: "s", used: 0, budget: 20, included: [], dropped: ["a"] },
      { section: "other", used: 0, budget: 10, included: [], dropped: [] },
    ]);
  });

  it("caps a section the budget does not name by the total alone, and takes a source's higher count", () => {
    const big = { ...piece("extra", "big", "- big", 1), tokens: 30 };
    expect(packContext([big], { total: 29, sections: {} }).sections[0]).toMatchObject({
      budget: 29,
      dropped: ["big"],
    });
    expect(packContext([big], { total: 40, sections: {} }).sections[0]).toMatchObject({ included: ["big"] });
    // A count below the estimate is not believed.
    const low = { ...piece("extra", "low", words(40), 1), tokens: 1 };
    expect(packContext([low], { total: 10, sections: {} }).sections[0]?.dropped).toEqual(["low"]);
  });
});

/** A source with fixed pieces: the shape memory will have. */
function memorySource(facts: string[], section = "memory"): ContextSource {
  return {
    name: "memory",
    section,
    heading: "Things you were told before:",
    gather: ({ task }) =>
      facts
        .map((fact, i) => ({ fact, i, score: fact.split(" ").filter((w) => task.includes(w)).length }))
        .filter(({ score }) => score > 0)
        .map(({ fact, i, score }) =>
          contextPiece({ source: "memory", section, id: `fact-${i}`, text: `- ${fact}`, score }),
        ),
  };
}

describe("gatherContext", () => {
  const budget: ContextBudget = { total: 2000, sections: { skills: 800, memory: 1200 } };

  it("asks every source at once and packs what they give under their headings", async () => {
    const started: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: ContextSource = {
      name: "slow",
      section: "skills",
      heading: "Skills:",
      footer: "Use them.",
      async gather() {
        started.push("slow");
        await gate;
        return [contextPiece({ source: "slow", section: "skills", id: "s", text: "- s", score: 1 })];
      },
    };
    const quick: ContextSource = {
      ...memorySource(["the user likes tea"]),
      gather(query) {
        started.push("memory");
        release();
        return memorySource(["the user likes tea"]).gather(query);
      },
    };
    const gathered = await gatherContext([slow, quick], { task: "make tea", agent: "general" }, budget);
    expect(started).toEqual(["slow", "memory"]);
    expect(gathered.text).toBe("\n\nSkills:\n- s\nUse them.\n\nThings you were told before:\n- the user likes tea");
    expect(gathered.warnings).toEqual([]);
  });

  it("reports a failing source in warnings and goes on without it", async () => {
    const throws: ContextSource = {
      name: "broken",
      section: "memory",
      heading: "x",
      gather() {
        throw new HobError("E_STORE", "The memory database is locked.");
      },
    };
    const rejects: ContextSource = {
      name: "rejects",
      section: "memory",
      heading: "x",
      gather: async () => Promise.reject(new Error("boom")),
    };
    const notAList: ContextSource = {
      name: "odd",
      section: "memory",
      heading: "x",
      gather: () => "no" as unknown as ContextPiece[],
    };
    const gathered = await gatherContext(
      [throws, memorySource(["tea is hot"]), rejects, notAList],
      { task: "tea", agent: "general" },
      budget,
    );
    expect(gathered.text).toBe("\n\nx\n- tea is hot");
    expect(gathered.warnings).toEqual([
      { source: "broken", code: "E_STORE", message: "The memory database is locked." },
      { source: "rejects", code: "E_INTERNAL", message: "Unexpected error: boom" },
      { source: "odd", code: "E_INTERNAL", message: "odd gave no list of pieces." },
    ]);
  });

  it("throws E_CANCELLED when the task is cancelled while it gathers", async () => {
    const controller = new AbortController();
    const cancels: ContextSource = {
      ...memorySource([]),
      gather() {
        controller.abort();
        return [];
      },
    };
    await expect(
      gatherContext([cancels], { task: "x", agent: "general", signal: controller.signal }, budget),
    ).rejects.toMatchObject({ code: "E_CANCELLED" });
  });

  it("takes a shared section's heading from the first source that names it", () => {
    expect(layoutsOf([memorySource([]), { ...memorySource([]), heading: "other" }])).toEqual({
      memory: { heading: "Things you were told before:" },
    });
  });
});

describe("the ContextSource contract", () => {
  it("holds for an in-memory source", async () => {
    const source = memorySource(["the user likes tea", "the user lives in Lyon", "tea is hot"]);
    expect(await checkContextSource(source, { task: "tea for the user", agent: "general" })).toEqual([]);
    expect(await checkContextSource(source, { task: "", agent: "general" })).toEqual([]);
  });

  it("names each broken promise", async () => {
    let calls = 0;
    const bad: ContextSource = {
      name: "bad",
      section: "memory",
      heading: "",
      gather: () => [
        { source: "other", section: "skills", id: "a", text: "", tokens: 0, score: Number.POSITIVE_INFINITY },
        { source: "bad", section: "memory", id: "a", text: words(50), tokens: 2, score: calls++ },
      ],
    };
    expect(await checkContextSource(bad, { task: "x", agent: "general" })).toEqual([
      "the source has no heading",
      'piece "a" names the source other, not bad',
      'piece "a" is in skills, not memory',
      'piece "a" has no text',
      'piece "a" has no finite score',
      'piece "a" is not the only one with its id',
      expect.stringContaining('piece "a" counts 2 tokens, below estimateTokens'),
      "the same query gave different pieces",
    ]);
    const throws: ContextSource = {
      ...bad,
      heading: "h",
      gather: () => {
        throw new Error("nope");
      },
    };
    expect(await checkContextSource(throws, { task: "x", agent: "general" })).toEqual(["gather threw: nope"]);
  });
});
