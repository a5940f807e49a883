import { describe, expect, it } from "vitest";
import { configSchema } from "../config/index.js";
import {
  AgentMatcher,
  CLASSIFY_SCHEMA,
  CLASSIFY_SYSTEM_PROMPT,
  classifyQuestion,
  EmbeddedClassifier,
  loadBackground,
  type RoutableAgent,
  RoutingCascade,
  terms,
} from "./index.js";

const INVOICES: RoutableAgent = {
  name: "invoice-helper",
  description: "Answers questions about the invoices in the workspace.",
  tier: "local",
  examples: [
    "what is the total of the invoice from ACME?",
    "which invoices are still unpaid?",
    "list invoices due this month with their amounts",
  ],
};
const TAXES: RoutableAgent = {
  name: "steuer-helfer",
  description: "Beantwortet Fragen zur Steuererklärung.",
  tier: "smart",
  examples: [
    "welche Belege brauche ich für die Steuererklärung?",
    "kann ich das Arbeitszimmer von der Steuer absetzen?",
  ],
};
const JAPANESE: RoutableAgent = {
  name: "nihongo-tutor",
  description: "日本語の文法を説明する。",
  tier: "fast",
  examples: ["この文の文法を説明してください", "「食べる」の過去形は何ですか"],
};
const NO_EXAMPLES: RoutableAgent = {
  name: "silent",
  description: "Has no examples.",
  tier: "fast",
  examples: [],
};

const THRESHOLD = configSchema.parse({}).routing.agent_match_threshold;
const background = loadBackground();
const matcher = new AgentMatcher([INVOICES, TAXES, JAPANESE, NO_EXAMPLES], background);

describe("agent matching by examples", () => {
  it("picks the agent whose example a task resembles, naming the example and the score", () => {
    const match = matcher.match("how much is the ACME invoice in total?", THRESHOLD);
    expect(match).toMatchObject({ agent: "invoice-helper", example: "what is the total of the invoice from ACME?" });
    expect(match?.score).toBeGreaterThan(THRESHOLD);
    expect(matcher.match("show me the unpaid invoices", THRESHOLD)?.agent).toBe("invoice-helper");
  });

  it("leaves unrelated tasks alone, also ones sharing a common word", () => {
    for (const task of [
      "what is the capital of Australia?",
      "write a python function that reverses a string",
      "list the markdown files in my notes",
      "how do I pay my phone bill online?",
      "wie spät ist es in New York?",
      "東京の天気は？",
    ]) {
      expect(matcher.match(task, THRESHOLD), task).toBeUndefined();
    }
  });

  it("matches non-English tasks, with and without spaces between words", () => {
    expect(matcher.match("kann ich mein Arbeitszimmer absetzen?", THRESHOLD)?.agent).toBe("steuer-helfer");
    expect(matcher.match("この文法を説明して", THRESHOLD)?.agent).toBe("nihongo-tutor");
    expect(terms("Straße ÜBER Größe")).toMatchObject({ words: ["straße", "über", "größe"] });
    // Han and kana are split into characters; the grams are character pairs.
    expect(terms("文法")).toEqual({ words: ["文", "法"], grams: ["^文", "文法", "法$"] });
    expect(terms("𐌰yz").grams).toEqual(["^𐌰y", "𐌰yz", "yz$"]); // a letter outside the BMP is one character
  });

  it("ignores examples with no words, and never picks an agent without examples", () => {
    const odd = new AgentMatcher(
      [
        { ...NO_EXAMPLES, name: "punctuation", examples: ["?!", "   ", "…"] },
        { ...NO_EXAMPLES, name: "silent" },
      ],
      background,
    );
    expect(odd.empty).toBe(true);
    expect(odd.scores("?!")).toEqual([]);
    expect(odd.match("has no examples", 0)).toBeUndefined();
    expect(matcher.scores("has no examples").map((s) => s.agent)).not.toContain("silent");
  });

  it("is deterministic and scores an exact example 1", () => {
    const a = matcher.scores("which invoices are still unpaid?");
    expect(a[0]).toMatchObject({ agent: "invoice-helper" });
    expect(a[0]?.score).toBeCloseTo(1, 6);
    expect(matcher.scores("which invoices are still unpaid?")).toEqual(a);
    expect(matcher.scores("")).toEqual([]);
  });

  it("works without a background, weighing every word alike", () => {
    const bare = new AgentMatcher([INVOICES]);
    expect(bare.match("how much is the ACME invoice in total?", THRESHOLD)?.agent).toBe("invoice-helper");
  });
});

describe("routing cascade with user agents", () => {
  const routing = configSchema.parse({}).routing;
  const classifier = EmbeddedClassifier.load();
  const agents = [INVOICES, TAXES, NO_EXAMPLES];

  it("step 0 picks a user agent by its examples, on its YAML tier, and says why", async () => {
    const cascade = new RoutingCascade({ routing, classifier, agents });
    const decision = await cascade.decide("how much is the ACME invoice in total?");
    expect(decision).toMatchObject({ agent: "invoice-helper", tier: "local", classifier: "agent-match" });
    expect(decision.reason).toMatch(
      /^agent "invoice-helper" matched its example "what is the total of the invoice from ACME\?" \(0\.\d\d\); its tier is local$/,
    );
    expect(decision.confidence).toBeGreaterThanOrEqual(routing.agent_match_threshold);
  });

  it("otherwise routes as before; the threshold is configurable", async () => {
    const cascade = new RoutingCascade({ routing, classifier, agents });
    expect(await cascade.decide("write a python function that reverses a string")).toMatchObject({
      agent: "code",
      classifier: "embedded",
    });
    const strict = new RoutingCascade({ routing: { ...routing, agent_match_threshold: 1 }, classifier, agents });
    expect((await strict.decide("how much is the ACME invoice in total?")).agent).not.toBe("invoice-helper");
  });

  it("keeps a matched agent when the tier is forced or pinned", async () => {
    const cascade = new RoutingCascade({ routing, classifier, agents });
    const forced = await cascade.decide("show me the unpaid invoices", { tier: "smart" });
    expect(forced).toMatchObject({ agent: "invoice-helper", tier: "smart", classifier: "forced" });
    expect(forced.reason).toMatch(/matched its example .*; tier forced to smart$/);
    const pinned = new RoutingCascade({ routing: { ...routing, default_tier: "fast" }, classifier, agents });
    expect(await pinned.decide("show me the unpaid invoices")).toMatchObject({
      agent: "invoice-helper",
      tier: "fast",
      classifier: "pinned",
    });
  });

  it("offers the local model the user agents with examples, with their descriptions", () => {
    expect(classifyQuestion([])).toMatchObject({ system: CLASSIFY_SYSTEM_PROMPT, jsonSchema: CLASSIFY_SCHEMA });
    const question = classifyQuestion(agents);
    expect(question.names).toEqual(["code", "research", "fileops", "general", "invoice-helper", "steuer-helfer"]);
    expect(question.jsonSchema.properties.agent.enum).toEqual(question.names);
    expect(question.system).toContain('"invoice-helper" (Answers questions about the invoices in the workspace.; e.g.');
    expect(question.system).not.toContain("silent");
  });
});
