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

  it("returns calibrated-looking probabilities and the weaker half as confidence", () => {
    const result = classifier.classify("find the pdf files in my downloads folder");
    const total = Object.values(result.probabilities).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 2);
    expect(result.confidence).toBe(Math.min(result.agentConfidence, result.complexityConfidence));
  });

  it("ships a model that is exactly what the training data produces (retrain to update it)", () => {
    const files = readdirSync(DATA)
      .filter((n) => n.startsWith("train-") && n.endsWith(".tsv"))
      .sort();
    const tasks = files.flatMap((n) => parseTsv(readFileSync(join(DATA, n), "utf8"), n));
    expect(tasks.length).toBeGreaterThanOrEqual(400);
    const shipped = JSON.parse(readFileSync(DEFAULT_MODEL_FILE, "utf8"));
    expect(train(tasks)).toEqual(shipped);
  });

  it("keeps the evaluation set apart from the training set", () => {
    const train = new Set(
      readdirSync(DATA)
        .filter((n) => n.startsWith("train-"))
        .flatMap((n) => parseTsv(readFileSync(join(DATA, n), "utf8")).map((t) => t.text.toLowerCase())),
    );
    const evaluation = parseTsv(readFileSync(join(DATA, "eval.tsv"), "utf8"));
    expect(evaluation.length).toBeGreaterThanOrEqual(80);
    expect(evaluation.filter((t) => train.has(t.text.toLowerCase()))).toEqual([]);
  });

  it("rejects malformed training lines with file and line", () => {
    expect(() => parseTsv("code\tsimple\tok\nwizard\tsimple\tbad\n", "x.tsv")).toThrow(/x\.tsv:2/);
    expect(parseTsv("# comment\n\ncode\tcomplex\ta\tb\n")).toEqual([
      { agent: "code", complexity: "complex", text: "a\tb" },
    ]);
  });

  it("refuses a model file it cannot read or was trained on other features", () => {
    expect(() => EmbeddedClassifier.load("/nonexistent/model.json")).toThrow(/cannot be read/);
    const shipped = JSON.parse(readFileSync(DEFAULT_MODEL_FILE, "utf8"));
    expect(() => new EmbeddedClassifier({ ...shipped, feature_version: 0 })).toThrow(/other features/);
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
