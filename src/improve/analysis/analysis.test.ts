import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempHome } from "../../../test/helpers.js";
import { type GeneratedHistory, generateHistory, type HistoryPlant } from "../../../test/history-generator.js";
import { DEFAULT_TIER_MAP, LOCAL_TIERS } from "../../config/index.js";
import { Store } from "../../store/index.js";
import {
  type AnalysisOptions,
  analyseHistory,
  clusterDocuments,
  FINDING_KINDS,
  type Finding,
  terms,
  tokenise,
} from "./index.js";

const PLANT: HistoryPlant = {
  family: 40,
  german: 12,
  japanese: 12,
  failingSkill: { tasks: 30, failRate: 0.6 },
  decliningSkill: { tasks: 60, splitAt: 0.7, before: 0.95, after: 0.3 },
  maxSteps: 25,
  localInCloudClass: { local: 30, cloud: 10 },
  repeated: 6,
  toolFailure: 40,
};

const tiers = () => ({ simple: { ...DEFAULT_TIER_MAP.simple }, complex: { ...DEFAULT_TIER_MAP.complex } });

function options(history: GeneratedHistory, overrides: Partial<AnalysisOptions> = {}): AnalysisOptions {
  return {
    since: null,
    now: history.end + 60_000,
    minEvidence: 3,
    tiers: tiers(),
    localTiers: LOCAL_TIERS,
    ...overrides,
  };
}

const byKey = (findings: Finding[], key: string) => findings.find((f) => f.key === key);

describe("text normalisation", () => {
  it("turns paths, URLs, quotes and numbers into placeholders and keeps a file's extension", () => {
    expect(terms("Convert sales_2024.csv to JSON please")).toEqual(["conver", "xxpath", "csv", "json"]);
    expect(terms("turn ./data/in.csv into json")).toEqual(["turn", "xxpath", "csv", "json"]);
    expect(terms('summarise https://example.com/a?b=1 and "the quoted bit" 42 times')).toEqual([
      "summar",
      "xxurl",
      "xxquote",
      "xxnum",
      "time",
    ]);
    expect(terms("csv/json")).toEqual(["csv", "json"]);
  });

  it("folds width and case (NFKC) and splits scripts written without spaces into bigrams", () => {
    expect(terms("ＣＳＶ to ＪＳＯＮ")).toEqual(terms("csv to json"));
    expect(terms("この記事を要約して")).toEqual(["記事", "要約"]);
    expect(terms("请总结这篇文章")).toContain("文章");
    expect(tokenise("Zusammenfassungen")).toEqual([{ term: "zusamm", surface: "zusammenfassungen" }]);
  });
});

describe("clustering", () => {
  it("joins documents above the threshold, transitively, and is deterministic", () => {
    const docs = [
      ["conver", "csv", "json", "file"],
      ["poem", "autumn", "leave"],
      ["turn", "csv", "json", "file"],
      ["csv", "json", "array", "file"],
      ["plan", "trip", "rome"],
      ["poem", "spring", "rain"],
    ];
    const first = clusterDocuments(docs);
    expect(first.clusters).toEqual([[0, 2, 3], [1], [4], [5]]);
    expect(clusterDocuments(docs).clusters).toEqual(first.clusters);
  });
});

describe("analyseHistory", () => {
  let home: string;
  let cleanup: () => void;
  let store: Store;
  let history: GeneratedHistory;
  let findings: Finding[];
  const task = (id: string) => store.tasks.get(id);

  beforeAll(() => {
    ({ home, cleanup } = tempHome());
    store = Store.open(join(home, "hob.db"));
    history = generateHistory(store, { tasks: 2500, seed: 11, plant: PLANT });
    findings = analyseHistory(store.db, options(history));
  });
  afterAll(() => {
    store.close();
    cleanup();
  });

  it("finds the recurring task family, in varied wording, with exactly its tasks", () => {
    const family = byKey(findings, "novel_pattern:conver+csv+json");
    expect(family?.kind).toBe("novel_pattern");
    expect(family?.evidence.count).toBe(40);
    expect(family?.evidence.task_ids).toHaveLength(20);
    for (const id of family?.evidence.task_ids ?? []) expect(history.ids.family).toContain(id);
    expect(family?.action.kind).toBe("new_skill");
    const examples = family?.action.kind === "new_skill" ? family.action.examples : [];
    expect(examples.length).toBe(5);
    const inputs = new Set(history.ids.family.map((id) => task(id).input));
    for (const example of examples) expect(inputs.has(example)).toBe(true);
    expect(new Set(examples.map((e) => e.toLowerCase().split(" ")[0])).size).toBeGreaterThan(1);
  });

  it("clusters non-English inputs: German words and Japanese text", () => {
    const german = findings.find((f) => f.kind === "novel_pattern" && f.key.includes("artike"));
    expect(german?.evidence.count).toBe(12);
    expect([...(german?.evidence.task_ids ?? [])].sort()).toEqual([...history.ids.german].sort());
    const japanese = byKey(findings, "novel_pattern:要約+記事");
    expect(japanese?.evidence.count).toBe(12);
    expect([...(japanese?.evidence.task_ids ?? [])].sort()).toEqual([...history.ids.japanese].sort());
  });

  it("reports a failing skill with its failure messages, and the tasks that ran it", () => {
    const skill = byKey(findings, "repeated_failure:skill:pdf-to-text");
    const failed = store.db
      .prepare("SELECT COUNT(*) AS n FROM skill_runs WHERE skill = 'pdf-to-text' AND ok = 0")
      .get() as { n: number };
    expect(skill?.evidence.count).toBe(failed.n);
    for (const id of skill?.evidence.task_ids ?? []) expect(history.ids.failingSkill).toContain(id);
    expect(skill?.action).toEqual({
      kind: "skill_patch",
      skill: "pdf-to-text",
      failures: expect.arrayContaining(["pdftotext: command not found"]),
    });
    // Its tasks ran the skill: the skill serves them, so they are no novel pattern.
    expect(findings.some((f) => f.kind === "novel_pattern" && f.key.includes("pdf"))).toBe(false);
  });

  it("asks for an agent change when an agent keeps hitting E_MAX_STEPS", () => {
    const agent = byKey(findings, "repeated_failure:agent:research:E_MAX_STEPS");
    expect(agent?.evidence.count).toBe(25);
    for (const id of agent?.evidence.task_ids ?? []) expect(history.ids.maxSteps).toContain(id);
    expect(agent?.action.kind).toBe("agent_change");
    expect(agent?.action.kind === "agent_change" && agent.action.problem).toMatch(/E_MAX_STEPS/);
  });

  it("reports a tool failing with the same code", () => {
    const tool = byKey(findings, "repeated_failure:tool:fetch_url:E_TIMEOUT");
    expect(tool?.evidence.count).toBe(40);
    for (const id of tool?.evidence.task_ids ?? []) expect(history.ids.toolFailure).toContain(id);
    expect(tool?.action).toEqual({ kind: "none" });
  });

  it("proposes routing a cloud class to the local tier that handles it, with the cloud cost", () => {
    const route = byKey(findings, "optimisation:complex:fileops:local");
    expect(route?.action).toEqual({ kind: "routing_change", complexity: "complex", agent: "fileops", tier: "local" });
    const cloud = store.db
      .prepare(
        `SELECT t.id, (SELECT COALESCE(SUM(cost_usd), 0) FROM model_calls WHERE task_id = t.id) AS cost FROM tasks t
         WHERE agent = 'fileops' AND complexity = 'complex' AND tier IN ('fast', 'smart') AND escalated_from IS NULL
           AND status IN ('succeeded', 'failed')`,
      )
      .all() as Array<{ id: string; cost: number }>;
    expect(route?.evidence.count).toBe(cloud.length);
    expect(route?.evidence.cost_usd).toBeCloseTo(
      cloud.reduce((sum, row) => sum + row.cost, 0),
      5,
    );
    const ids = new Set(cloud.map((row) => row.id));
    for (const id of route?.evidence.task_ids ?? []) expect(ids.has(id)).toBe(true);
    expect(route?.evidence.local_success_rate).toBeGreaterThanOrEqual(0.9);
    expect(route?.evidence.local_tasks).toBe(30);
  });

  it("reports a cache opportunity for an input asked again and again", () => {
    const cache = findings.find((f) => f.key.startsWith("optimisation:cache:"));
    expect(cache?.evidence.count).toBe(6);
    expect([...(cache?.evidence.task_ids ?? [])].sort()).toEqual([...history.ids.repeated].sort());
  });

  it("finds a skill whose success rate fell in the recent window, once (not also as repeated failures)", () => {
    const recent = analyseHistory(store.db, options(history, { since: history.declineAt }));
    const decline = byKey(recent, "skill_decline:word-count");
    expect(decline?.action.kind).toBe("skill_patch");
    expect(decline?.evidence.earlier_success_rate).toBeGreaterThan(0.85);
    expect(decline?.evidence.recent_success_rate).toBeLessThan(0.5);
    for (const id of decline?.evidence.task_ids ?? []) expect(history.ids.decliningSkill).toContain(id);
    expect(byKey(recent, "repeated_failure:skill:word-count")).toBeUndefined();
  });

  it("limits every finding to tasks since `since`", () => {
    const since = history.start + (history.end - history.start) / 2;
    const recent = analyseHistory(store.db, options(history, { since }));
    for (const finding of recent) {
      for (const id of finding.evidence.task_ids) expect(task(id).createdAt).toBeGreaterThanOrEqual(since);
    }
    const family = byKey(recent, "novel_pattern:conver+csv+json");
    expect(family?.evidence.count).toBe(history.ids.family.filter((id) => task(id).createdAt >= since).length);
  });

  it("sorts by kind, then evidence, then key, and gives the same findings on a second run", () => {
    const order = findings.map((f) => FINDING_KINDS.indexOf(f.kind));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(analyseHistory(store.db, options(history))).toEqual(findings);
  });

  it("only reads", () => {
    const changes = () => (store.db.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
    const before = changes();
    analyseHistory(store.db, options(history));
    expect(changes()).toBe(before);
  });

  it("leaves out a cluster an active skill already serves, and reports it again once that skill is disabled", () => {
    store.skills.upsert({
      name: "csv-to-json",
      version: "1.0.0",
      contentHash: "sha256-x",
      kind: "script",
      language: "python",
      author: "agent",
      status: "active",
      description: "Convert a CSV file to JSON",
      instructions: "Run it.",
      path: "/skills/csv-to-json",
    });
    try {
      expect(byKey(analyseHistory(store.db, options(history)), "novel_pattern:conver+csv+json")).toBeUndefined();
      store.skills.setStatus("csv-to-json", "disabled");
      expect(byKey(analyseHistory(store.db, options(history)), "novel_pattern:conver+csv+json")).toBeDefined();
    } finally {
      store.skills.remove("csv-to-json");
    }
  });

  it("leaves out the tasks of improvement runs", () => {
    const familyTask = history.ids.family[0] as string;
    const run = store.improveRuns.start({ trigger: "manual", since: null });
    store.improveRuns.setTask(run.id, familyTask);
    try {
      const family = byKey(analyseHistory(store.db, options(history)), "novel_pattern:conver+csv+json");
      expect(family?.evidence.count).toBe(39);
    } finally {
      store.db.prepare("DELETE FROM improve_runs WHERE id = ?").run(run.id);
    }
  });
});

describe("analyseHistory on noise and on a growing history", () => {
  it("finds nothing in noise but where the money goes", () => {
    const { home, cleanup } = tempHome();
    const store = Store.open(join(home, "hob.db"));
    try {
      const history = generateHistory(store, { tasks: 3000, seed: 5 });
      const findings = analyseHistory(store.db, options(history));
      expect(findings.filter((f) => !f.key.startsWith("optimisation:hotspot:"))).toEqual([]);
      for (const finding of findings) expect(finding.action).toEqual({ kind: "none" });
    } finally {
      store.close();
      cleanup();
    }
  });

  it("keeps the planted findings' keys as the history grows", () => {
    const { home, cleanup } = tempHome();
    const store = Store.open(join(home, "hob.db"));
    try {
      const first = generateHistory(store, { tasks: 1500, seed: 21, plant: { ...PLANT, decliningSkill: undefined } });
      const before = analyseHistory(store.db, options(first)).map((f) => f.key);
      const second = generateHistory(store, {
        tasks: 3000,
        seed: 22,
        start: first.end + 60_000,
        plant: { ...PLANT, decliningSkill: undefined },
      });
      const after = analyseHistory(store.db, options(second)).map((f) => f.key);
      const planted = [
        "novel_pattern:conver+csv+json",
        "novel_pattern:要約+記事",
        "repeated_failure:skill:pdf-to-text",
        "repeated_failure:agent:research:E_MAX_STEPS",
        "repeated_failure:tool:fetch_url:E_TIMEOUT",
        "optimisation:complex:fileops:local",
      ];
      for (const key of planted) {
        expect(before).toContain(key);
        expect(after).toContain(key);
      }
      const german = (keys: string[]) => keys.filter((k) => k.includes("artike"));
      expect(german(before)).toHaveLength(1);
      expect(german(after)).toEqual(german(before));
      const cache = (keys: string[]) => keys.filter((k) => k.startsWith("optimisation:cache:"));
      expect(cache(after)).toEqual(cache(before));
    } finally {
      store.close();
      cleanup();
    }
  });
});
