import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../test/helpers.js";
import { assessAnswer, DEFAULT_MODEL_FILE, EmbeddedClassifier, extractJson, parseTsv, train } from "./index.js";

const DATA = join(REPO_ROOT, "data/routing");

describe("embedded classifier", () => {
  const classifier = EmbeddedClassifier.load();

  it("tells the four agents and simple/complex apart on plain examples", () => {
    const cases: Array<[string, string, string]> = [
      ["list the markdown files", "fileops", "simple"],
      ["what's the weather in Oslo tomorrow?", "research", "simple"],
      ["write a bash one-liner that counts lines in all .log files", "code", "simple"],
      ["what does the word serendipity mean?", "general", "simple"],
      [
        "build a typescript CLI that syncs two folders with conflict detection, a dry-run mode and tests",
        "code",
        "complex",
      ],
    ];
    for (const [text, agent, complexity] of cases) {
      expect(classifier.classify(text), text).toMatchObject({ agent, complexity });
    }
  });

  it("judges the instruction, not the length: padded simple tasks stay simple, short hard ones complex", () => {
    const paragraph =
      "The committee met on Tuesday to discuss the budget for next year and, after a long debate about parks, " +
      "libraries and roads, agreed to raise the allocation for parks by ten percent while cutting admin costs.";
    const cases: Array<[string, string, string]> = [
      ["what is 2+2", "general", "simple"],
      ["what is 2+2, please keep it short, just the number, thanks", "general", "simple"],
      ["refactor the auth module", "code", "complex"],
      ["add tests to my parser", "code", "complex"],
      [`tl;dr: ${paragraph}`, "general", "simple"],
      [
        "fix this TypeError: Cannot read properties of undefined (reading 'map')\n    at render (/app/src/List.jsx:12:18)",
        "code",
        "simple",
      ],
      ["Wie wird das Wetter morgen in Hamburg?", "research", "simple"],
      ["organise my downloads folder by file type", "fileops", "complex"],
    ];
    for (const [text, agent, complexity] of cases) {
      expect(classifier.classify(text), text).toMatchObject({ agent, complexity });
    }
  });

  it("reports calibrated probabilities, both halves' product as confidence, and how much it knows", () => {
    const result = classifier.classify("find the pdf files in my downloads folder");
    const total = Object.values(result.probabilities).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 2);
    expect(result.confidence).toBeCloseTo(result.agentConfidence * result.complexityConfidence, 10);
    expect(result.evidence).toEqual({ words: 8, known: 8, share: 1 });
    const unknown = classifier.classify("zxqv blorft wimble quonk");
    expect(unknown.evidence).toMatchObject({ words: 4, known: 0, share: 0 });
  });

  it("explains a decision by the features that drove it", () => {
    const explanation = classifier.explain("refactor the auth module in my app", 5);
    expect(explanation.agent.length).toBeGreaterThan(0);
    expect(explanation.agent.length).toBeLessThanOrEqual(5);
    const names = [...explanation.agent, ...explanation.complexity].map((c) => c.feature).join(" ");
    expect(names).toMatch(/lex:project|lex:rework|w:refactor/);
    for (const list of [explanation.agent, explanation.complexity])
      expect(list.map((c) => c.weight)).toEqual([...list.map((c) => c.weight)].sort((a, b) => b - a));
  });

  it("ships a model that is exactly what the training data produces (retrain to update it)", () => {
    const files = readdirSync(DATA)
      .filter((n) => n.startsWith("train-") && n.endsWith(".tsv"))
      .sort();
    const tasks = files.flatMap((n) => parseTsv(readFileSync(join(DATA, n), "utf8"), n));
    expect(tasks.length).toBeGreaterThanOrEqual(1500);
    const shipped = JSON.parse(readFileSync(DEFAULT_MODEL_FILE, "utf8"));
    expect(train(tasks)).toEqual(shipped);
  }, 60_000);

  it("keeps every evaluation set apart from the training set", () => {
    const key = (text: string) => text.toLowerCase().replace(/\s+/g, " ").trim();
    const train = new Set(
      readdirSync(DATA)
        .filter((n) => n.startsWith("train-"))
        .flatMap((n) => parseTsv(readFileSync(join(DATA, n), "utf8")).map((t) => key(t.text))),
    );
    const sets = readdirSync(DATA).filter((n) => n.startsWith("eval") && n.endsWith(".tsv"));
    expect(sets.sort()).toEqual(["eval-apart.tsv", "eval-multilingual.tsv", "eval-paraphrase.tsv", "eval.tsv"]);
    for (const name of sets) {
      const evaluation = parseTsv(readFileSync(join(DATA, name), "utf8"), name);
      expect(evaluation.length, name).toBeGreaterThanOrEqual(80);
      expect(
        evaluation.filter((t) => train.has(key(t.text))),
        name,
      ).toEqual([]);
    }
  });

  it("rejects malformed training lines with file and line", () => {
    expect(() => parseTsv("code\tsimple\tok\nwizard\tsimple\tbad\n", "x.tsv")).toThrow(/x\.tsv:2/);
    expect(parseTsv("# comment\n\ncode\tcomplex\ta\tb\n")).toEqual([
      { agent: "code", complexity: "complex", text: "a\tb" },
    ]);
    // Pasted material on one line: \n, \t and \\ escapes; any other backslash is kept.
    expect(parseTsv("code\tsimple\tfix:\\nprint('a\\\\nb')\\t^\\d+$\n")[0]?.text).toBe("fix:\nprint('a\\nb')\t^\\d+$");
  });

  it("refuses a model file it cannot read or was trained on other features", () => {
    expect(() => EmbeddedClassifier.load("/nonexistent/model.json")).toThrow(/cannot be read/);
    const shipped = JSON.parse(readFileSync(DEFAULT_MODEL_FILE, "utf8"));
    expect(() => new EmbeddedClassifier({ ...shipped, feature_version: 0 })).toThrow(/other features/);
    expect(() => new EmbeddedClassifier({ ...shipped, version: 1 })).toThrow(
      expect.objectContaining({ code: "E_CONFIG", hint: expect.stringMatching(/npm run train:router/) }),
    );
  });
});

describe("answer checks", () => {
  it("accepts a normal answer", () => {
    expect(assessAnswer("capital of France?", "Paris.", "stop")).toEqual({ ok: true });
  });

  it.each([
    ["", "stop", "the answer was empty"],
    ["Paris is the", "length", "the answer was cut at the token limit"],
    ["I'm sorry, but I can't help with that.", "stop", "the model declined or did not know"],
    ["As an AI, I have no opinions.", "stop", "the model declined or did not know"],
    ["Hmm. I don't know.", "stop", "the model declined or did not know"],
  ] as const)("rejects %j (%s)", (answer, finish, reason) => {
    expect(assessAnswer("a task", answer, finish)).toEqual({ ok: false, reason });
  });

  it("checks JSON when JSON was asked for, and failed tool loops", () => {
    expect(assessAnswer("reply in JSON", "name: Ada", "stop").ok).toBe(false);
    expect(assessAnswer("reply in JSON", 'Here: {"name":"Ada"}', "stop").ok).toBe(true);
    expect(assessAnswer("x", "fine", "stop", { toolLoopFailed: true })).toEqual({
      ok: false,
      reason: "its tool calls failed",
    });
    // A long, useful answer that merely mentions uncertainty is kept.
    expect(
      assessAnswer("explain", `${"Useful detail. ".repeat(20)}I'm not sure about the last point.`, "stop").ok,
    ).toBe(true);
  });

  it("extracts JSON from fenced or surrounded text", () => {
    expect(extractJson('```json\n{"a":1}\n```')).toEqual({ a: 1 });
    expect(extractJson("The answer is [1,2] ok")).toEqual([1, 2]);
    expect(() => extractJson("no json here")).toThrow();
  });
});
