import { describe, expect, it } from "vitest";
import { extractTaskFeatures } from "./features.js";
import { splitTask } from "./split.js";
import { stripAccents, words } from "./tokens.js";

const TRACE = [
  "TypeError: Cannot read properties of undefined (reading 'map')",
  "    at render (/app/src/List.jsx:12:18)",
  "    at processChild (/app/node_modules/react-dom/cjs/react-dom.js:3043:14)",
].join("\n");
const PARAGRAPH =
  "The committee met on Tuesday to discuss the budget for next year and, after a long debate about parks, " +
  "libraries and roads, agreed to raise the allocation for parks by ten percent while cutting administrative costs.";

describe("Unicode words", () => {
  it("keeps letters of every script whole, folds case, and keeps each word with and without accents", () => {
    expect(words("Räum meinen Download-Ordner auf, GRÖSSE!").map((w) => [w.text, w.plain])).toEqual([
      ["räum", "raum"],
      ["meinen", "meinen"],
      ["download", "download"],
      ["ordner", "ordner"],
      ["auf", "auf"],
      ["grösse", "grosse"],
    ]);
    expect(words("¿Cuál es el precio?").map((w) => w.text)).toEqual(["cuál", "es", "el", "precio"]);
    expect(words("Как дела").map((w) => w.text)).toEqual(["как", "дела"]);
    expect(stripAccents("straße façade ñandú")).toBe("strasse facade nandu");
  });

  it("reads an unspaced script as characters and character pairs, apart from Latin words next to it", () => {
    expect(words("python函数").map((w) => w.text)).toEqual(["python", "函", "函数", "数"]);
    expect(words("天気").every((w) => w.unspaced)).toBe(true);
  });
});

describe("instruction and material", () => {
  it.each([
    [`tl;dr: ${PARAGRAPH}`, "tl;dr", ["prose"]],
    [`fix this TypeError:\n${TRACE}`, "fix this TypeError:", ["trace", "code"]],
    [
      `Hi team,\nThe offsite moves to Friday.\nPlease update your calendars.\n\nwhat is the tone of this email?`,
      "what is the tone of this email?",
      ["prose"],
    ],
    ["```python\ndef f(x):\n    return x * 2\n```\nwhat does this do?", "what does this do?", ["code"]],
    ["SELECT name, COUNT(*) FROM users GROUP BY name;\nwhy is this slow?", "why is this slow?", ["sql", "code"]],
    [
      "Here is my code:\nfunction f() {\n  return 1;\n}\nwhy does it crash?",
      "Here is my code:\nwhy does it crash?",
      ["code"],
    ],
  ])("splits %j", (text, instruction, kinds) => {
    const split = splitTask(text);
    expect(split.instruction).toBe(instruction);
    expect(split.kinds).toEqual(kinds);
    expect(split.material.length).toBeGreaterThan(0);
  });

  it("leaves a task without pasted material whole, URLs and times included", () => {
    for (const text of [
      "what is 2+2, please keep it short, just the number, thanks",
      "look at https://example.com/pricing and tell me the cheapest plan",
      "meeting at 10:30: can you write a reminder",
      "refactor the auth module",
    ])
      expect(splitTask(text)).toEqual({ instruction: text, material: "", kinds: [] });
  });

  it("judges a paste with no words around it as the instruction", () => {
    expect(splitTask(TRACE).instruction).toBe(TRACE);
  });
});

describe("features", () => {
  it("gives the complexity head the same features however long the pasted material is", () => {
    const short = extractTaskFeatures(`tl;dr: ${PARAGRAPH}`, 4096);
    const long = extractTaskFeatures(
      `tl;dr: ${PARAGRAPH} ${PARAGRAPH.replace(/parks/g, "schools")} ${PARAGRAPH}`,
      4096,
    );
    expect([...long.complexity.indices]).toEqual([...short.complexity.indices]);
    expect([...long.complexity.values]).toEqual([...short.complexity.values]);
    // The agent head does read the material (a pasted trace means code), at a lower weight.
    expect(long.agent.indices.length).toBeGreaterThan(short.complexity.indices.length);
  });

  it("reads a long paste by its start and end only, so its middle cannot cost time or change the verdict", () => {
    const head = `summarise this log:\n${"INFO started worker\n".repeat(200)}`;
    const tail = `${"INFO job done\n".repeat(80)}\nwhich worker failed?`;
    const a = extractTaskFeatures(`${head}${"x-".repeat(50_000)}\n${tail}`, 4096);
    const b = extractTaskFeatures(`${head}${"some other middle ".repeat(9_000)}\n${tail}`, 4096);
    expect([...a.agent.indices]).toEqual([...b.agent.indices]);
    expect([...a.complexity.indices]).toEqual([...b.complexity.indices]);
    expect(a.split.instruction).toBe("summarise this log:\nwhich worker failed?");
  });

  it("names the features hashed at each index when asked, for --explain", () => {
    const { names } = extractTaskFeatures("Räum meine Downloads auf: https://example.com/x", 4096, { names: true });
    const all = [...(names?.values() ?? [])].flatMap((set) => [...set]);
    expect(all).toEqual(expect.arrayContaining(["w:raum", "w:räum", "lex:files", "lex:mine", "f:url"]));
    expect(extractTaskFeatures("x", 4096).names).toBeUndefined();
  });
});
