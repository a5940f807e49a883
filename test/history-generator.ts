/**
 * Seeded, deterministic task histories for the self-improvement analysis: background noise
 * (varied inputs over every agent, routed by the default tier map, a few transient failures,
 * tool steps, model calls with realistic costs, a healthy skill) and planted patterns.
 * Everything is written through the store's repositories, as hob itself would write it.
 */
import { DEFAULT_TIER_MAP } from "../src/config/index.js";
import type { Store } from "../src/store/index.js";

export interface HistoryPlant {
  /** A recurring family of tasks in varied English wording: CSV files converted to JSON. */
  family?: number;
  /** A recurring family in German (summarise an article) … */
  german?: number;
  /** … and one in Japanese (summarise an article). */
  japanese?: number;
  /** Tasks that run the skill `pdf-to-text`, which fails this share of its runs. */
  failingSkill?: { tasks: number; failRate: number };
  /** Tasks that run the skill `word-count`: reliable before `splitAt` (a share of the timeline), not after. */
  decliningSkill?: { tasks: number; splitAt: number; before: number; after: number };
  /** Research tasks that fail with E_MAX_STEPS. */
  maxSteps?: number;
  /** Complex fileops tasks run on the local tier that succeed (the class routes to the cloud). */
  localInCloudClass?: { local: number; cloud: number };
  /** One input asked again and again, never answered from the cache. */
  repeated?: number;
  /** Research tasks whose fetch_url step fails with E_TIMEOUT. */
  toolFailure?: number;
}

export interface GenerateOptions {
  /** All tasks, planted ones included. */
  tasks: number;
  seed: number;
  /** The first task's time (ms epoch); default 2025-01-01. */
  start?: number;
  /** Mean gap between tasks; default one minute. */
  spacingMs?: number;
  plant?: HistoryPlant;
}

export interface GeneratedHistory {
  start: number;
  /** The last task's time. */
  end: number;
  /** Where the declining skill starts to fail (when planted). */
  declineAt: number | null;
  ids: {
    noise: string[];
    family: string[];
    german: string[];
    japanese: string[];
    failingSkill: string[];
    decliningSkill: string[];
    maxSteps: string[];
    localInCloudClass: string[];
    cloudInLocalClass: string[];
    repeated: string[];
    toolFailure: string[];
  };
}

export const REPEATED_INPUT = "What's the weather forecast for Prague this weekend?";

/** mulberry32: small, fast, seeded. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONSONANTS = "bdfgklmnprstvz";
const VOWELS = "aeiou";

/** A fixed vocabulary of invented words (the same for every seed), so noise rarely repeats. */
const VOCABULARY: string[] = (() => {
  const random = rng(7);
  const words = new Set<string>();
  while (words.size < 50000) {
    const syllables = 2 + Math.floor(random() * 2);
    let word = "";
    for (let i = 0; i < syllables; i++) {
      word += CONSONANTS[Math.floor(random() * CONSONANTS.length)];
      word += VOWELS[Math.floor(random() * VOWELS.length)];
    }
    if (random() < 0.3) word += CONSONANTS[Math.floor(random() * CONSONANTS.length)];
    words.add(word);
  }
  return [...words];
})();

/** Everyday tasks, each with three or more invented words: alike in form, not in subject. */
const NOISE_FRAMES: Record<string, string[]> = {
  code: [
    "fix the {n} {n} bug in {n}",
    "write a {n} function that {n} the {n}",
    "refactor {n} {n} to use {n}",
    "why does {n} {n} throw {n}",
    "add tests for {n} {n} {n}",
    "review my {n} {n} {n} code",
  ],
  research: [
    "what is {n} {n} {n}?",
    "find papers about {n} {n} and {n}",
    "compare {n} {n} with {n} {n}",
    "who invented the {n} {n} {n}",
    "news on {n} {n} {n}",
    "how does {n} {n} affect {n}",
  ],
  fileops: [
    "rename the {n} {n} notes to {n}",
    "move the {n} {n} {n} files into {dir}",
    "find duplicate {n} {n} {n} in {dir}",
    "delete old {n} {n} {n} from {dir}",
    "list the largest {n} {n} {n} files",
  ],
  general: [
    "write a poem about {n} and {n} {n}",
    "plan a trip to {n} {n} with {n}",
    "explain {n} {n} {n} simply",
    "ideas for a {n} {n} {n} party",
    "draft an email to {n} about {n} {n}",
    "what should I cook with {n}, {n} and {n}",
  ],
};

const FAMILY = [
  "convert {file}.csv to json",
  "Convert {file}.csv into JSON format",
  "can you convert the csv file {file}.csv to json?",
  "turn {file}.csv into a json file",
  "CSV to JSON please: {file}.csv",
  "I need {file}.csv converted to JSON",
  "convert the attached csv ({file}.csv) to a JSON array",
];
const GERMAN = [
  "Fasse den Artikel {url} zusammen",
  "Bitte fasse diesen Artikel zusammen: {url}",
  "Zusammenfassung des Artikels {url}",
  "Kannst du den Artikel unter {url} zusammenfassen?",
  "Fasse mir den Artikel {url} kurz zusammen",
];
const JAPANESE = [
  "この記事を要約して {url}",
  "{url} の記事を要約してください",
  "次の記事を要約してください: {url}",
  "記事 {url} を三行で要約して",
];
const PDF = [
  "extract the text from {file}.pdf",
  "get the text out of {file}.pdf",
  "pdf to text: {file}.pdf",
  "extract all text in {file}.pdf please",
];
const WORDS = [
  "count the words in {file}.txt",
  "how many words are in {file}.txt?",
  "word count of {file}.txt please",
  "give me the word count for {file}.txt",
];
const PDF_ERRORS = [
  "pdftotext: command not found",
  "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe2 in position 10",
];

const FAILURE_CODES = ["E_PROVIDER", "E_TIMEOUT", "E_RATE_LIMIT", "E_NETWORK", "E_OVERLOADED"];
const TOOLS: Record<string, string[]> = {
  code: ["read_file", "write_file", "find_skills"],
  research: ["web_search", "fetch_url"],
  fileops: ["list_files", "read_file", "move_file"],
  general: [],
};
const PRICE: Record<string, number> = { "local-fast": 0, local: 0, fast: 0.002, smart: 0.03 };
const MODEL: Record<string, string> = {
  "local-fast": "ollama/qwen3:1.7b",
  local: "ollama/qwen3:8b",
  fast: "claude-haiku-4-5",
  smart: "claude-sonnet-4-5",
};

type Kind =
  | "noise"
  | "family"
  | "german"
  | "japanese"
  | "failingSkill"
  | "decliningSkill"
  | "maxSteps"
  | "localInCloudClass"
  | "cloudInLocalClass"
  | "repeated"
  | "toolFailure";

interface Spec {
  kind: Kind;
  input: string;
  agent: string;
  complexity: "simple" | "complex";
  tier: string;
  escalatedFrom?: string;
  status: "succeeded" | "failed";
  error?: { code: string; message: string };
  tools: Array<{ tool: string; error?: { code: string; result: string } }>;
  skill?: { name: string; ok: boolean; error: string | null };
}

const SKILLS = [
  {
    name: "csv-stats",
    description: "Summary statistics of the columns of a CSV file",
  },
  { name: "pdf-to-text", description: "Extract the text of a PDF file" },
  { name: "word-count", description: "Count the words, lines and characters of a text file" },
];

/** Writes a generated history into the store; the same options always write the same rows. */
export function generateHistory(store: Store, options: GenerateOptions): GeneratedHistory {
  const random = rng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const chance = (p: number) => random() < p;
  const fill = (template: string) =>
    template
      .replace(/\{n\}/g, () => pick(VOCABULARY))
      .replace(/\{file\}/g, () => `${pick(VOCABULARY)}${chance(0.3) ? `_${2020 + Math.floor(random() * 6)}` : ""}`)
      .replace(/\{dir\}/g, () => `~/${pick(VOCABULARY)}/${pick(VOCABULARY)}`)
      .replace(
        /\{url\}/g,
        () => `https://${pick(VOCABULARY)}.example.com/${pick(VOCABULARY)}/${Math.floor(random() * 9999)}`,
      );
  const start = options.start ?? Date.UTC(2025, 0, 1);
  const spacing = options.spacingMs ?? 60_000;
  const plant = options.plant ?? {};
  const tierOf = (complexity: "simple" | "complex", agent: string) =>
    (DEFAULT_TIER_MAP[complexity] as Record<string, string>)[agent] ?? "fast";

  const noiseSpec = (kind: Kind = "noise", forced?: Partial<Spec>): Spec => {
    const roll = random();
    const agent =
      forced?.agent ?? (roll < 0.4 ? "general" : roll < 0.65 ? "code" : roll < 0.85 ? "research" : "fileops");
    const complexity = forced?.complexity ?? (chance(0.6) ? "simple" : "complex");
    let tier = forced?.tier ?? tierOf(complexity, agent);
    let escalatedFrom: string | undefined;
    if (!forced?.tier && (tier === "local" || tier === "local-fast") && chance(0.04)) {
      escalatedFrom = tier;
      tier = "fast";
    }
    const failed = chance(0.015);
    const tools = (TOOLS[agent] ?? []).flatMap((tool) => (chance(0.6) ? [{ tool }] : []));
    for (const step of tools) {
      if (chance(0.01)) (step as Spec["tools"][number]).error = { code: "E_TOOL", result: `${step.tool} failed` };
    }
    const spec: Spec = {
      kind,
      input: fill(pick(NOISE_FRAMES[agent] as string[])),
      agent,
      complexity,
      tier,
      ...(escalatedFrom ? { escalatedFrom } : {}),
      status: failed ? "failed" : "succeeded",
      ...(failed ? { error: { code: pick(FAILURE_CODES), message: "The provider did not answer in time." } } : {}),
      tools,
    };
    if (agent === "code" && chance(0.03)) {
      const ok = chance(0.98);
      spec.skill = { name: "csv-stats", ok, error: ok ? null : "empty input" };
    }
    const merged: Spec = { ...spec, ...forced };
    if (merged.status === "succeeded") delete merged.error;
    else merged.error ??= { code: pick(FAILURE_CODES), message: "The provider did not answer in time." };
    return merged;
  };

  // The planted tasks, then noise up to the total; shuffled onto the timeline.
  const specs: Spec[] = [];
  const repeat = (n: number | undefined, make: () => Spec) => {
    for (let i = 0; i < (n ?? 0); i++) specs.push(make());
  };
  repeat(plant.family, () => ({
    kind: "family",
    input: fill(pick(FAMILY)),
    agent: pick(["general", "fileops"]),
    complexity: "simple",
    tier: "local-fast",
    status: chance(0.9) ? "succeeded" : "failed",
    tools: [{ tool: "read_file" }, { tool: "write_file" }],
  }));
  for (const spec of specs)
    if (spec.status === "failed") spec.error = { code: pick(FAILURE_CODES), message: "Ollama error" };
  repeat(plant.german, () => ({
    kind: "german",
    input: fill(pick(GERMAN)),
    agent: "research",
    complexity: "simple",
    tier: "local",
    status: "succeeded",
    tools: [{ tool: "fetch_url" }],
  }));
  repeat(plant.japanese, () => ({
    kind: "japanese",
    input: fill(pick(JAPANESE)),
    agent: "research",
    complexity: "simple",
    tier: "local",
    status: "succeeded",
    tools: [{ tool: "fetch_url" }],
  }));
  repeat(plant.failingSkill?.tasks, () => {
    const ok = !chance(plant.failingSkill?.failRate ?? 0);
    return {
      kind: "failingSkill",
      input: fill(pick(PDF)),
      agent: "code",
      complexity: "simple",
      tier: "local",
      status: "succeeded",
      tools: [{ tool: "find_skills" }, { tool: "run_skill" }],
      skill: { name: "pdf-to-text", ok, error: ok ? null : pick(PDF_ERRORS) },
    };
  });
  repeat(plant.maxSteps, () =>
    noiseSpec("maxSteps", {
      agent: "research",
      complexity: "complex",
      tier: "smart",
      status: "failed",
      error: { code: "E_MAX_STEPS", message: "The research agent used all 12 steps without finishing." },
      tools: Array.from({ length: 12 }, (_, i) => ({ tool: i % 2 ? "fetch_url" : "web_search" })),
    }),
  );
  let localRuns = 0;
  repeat(plant.localInCloudClass?.local, () =>
    noiseSpec("localInCloudClass", {
      agent: "fileops",
      complexity: "complex",
      tier: "local",
      // One in 25 fails: a 96% success rate, whatever the seed.
      status: ++localRuns % 25 === 0 ? "failed" : "succeeded",
    }),
  );
  repeat(plant.localInCloudClass?.cloud, () =>
    noiseSpec("cloudInLocalClass", { agent: "fileops", complexity: "complex", tier: "fast", status: "succeeded" }),
  );
  repeat(plant.repeated, () =>
    noiseSpec("repeated", { input: REPEATED_INPUT, agent: "general", complexity: "simple", tier: "fast" }),
  );
  repeat(plant.toolFailure, () =>
    noiseSpec("toolFailure", {
      agent: "research",
      complexity: "simple",
      tier: "local",
      status: "succeeded",
      tools: [
        { tool: "web_search" },
        { tool: "fetch_url", error: { code: "E_TIMEOUT", result: "fetch timed out after 30s" } },
      ],
    }),
  );
  const declining = plant.decliningSkill ? specs.length : -1;
  repeat(plant.decliningSkill?.tasks, () => ({
    kind: "decliningSkill",
    input: fill(pick(WORDS)),
    agent: "code",
    complexity: "simple",
    tier: "local",
    status: "succeeded",
    tools: [{ tool: "run_skill" }],
    skill: { name: "word-count", ok: true, error: null },
  }));
  while (specs.length < options.tasks) specs.push(noiseSpec());

  // A seeded shuffle places planted tasks among the noise.
  const order = specs.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const times = order.map((_, position) => start + position * spacing + Math.floor(random() * (spacing / 2)));
  const declineAt =
    plant.decliningSkill && times.length > 0
      ? (times[Math.floor((times.length - 1) * plant.decliningSkill.splitAt)] as number)
      : null;

  for (const skill of SKILLS) {
    if (store.skills.get(skill.name)) continue;
    store.skills.upsert({
      name: skill.name,
      version: "1.0.0",
      contentHash: `sha256-${skill.name}`,
      kind: "script",
      language: "python",
      author: "user",
      status: "active",
      description: skill.description,
      instructions: `Run ${skill.name}.`,
      path: `/skills/${skill.name}`,
    });
  }

  const ids: GeneratedHistory["ids"] = {
    noise: [],
    family: [],
    german: [],
    japanese: [],
    failingSkill: [],
    decliningSkill: [],
    maxSteps: [],
    localInCloudClass: [],
    cloudInLocalClass: [],
    repeated: [],
    toolFailure: [],
  };
  store.db.transaction(() => {
    order.forEach((specIndex, position) => {
      const spec = specs[specIndex] as Spec;
      const at = times[position] as number;
      if (declining >= 0 && spec.kind === "decliningSkill" && spec.skill && declineAt !== null) {
        const rate = at >= declineAt ? (plant.decliningSkill?.after ?? 1) : (plant.decliningSkill?.before ?? 1);
        const ok = chance(rate);
        spec.skill = { name: "word-count", ok, error: ok ? null : "wc: invalid byte sequence in input" };
      }
      const id = `${at.toString(36).padStart(9, "0").slice(-9)}${Math.floor(random() * 36 ** 4)
        .toString(36)
        .padStart(4, "0")}`;
      ids[spec.kind].push(id);
      const model = MODEL[spec.tier] ?? spec.tier;
      const local = spec.tier === "local" || spec.tier === "local-fast";
      store.tasks.create({ id, createdAt: at, input: spec.input, workspace: "/home/user/workspace" });
      store.tasks.setRoute(id, {
        agent: spec.agent,
        tier: spec.escalatedFrom ?? spec.tier,
        model: MODEL[spec.escalatedFrom ?? spec.tier] ?? spec.tier,
        reason: "classifier",
        complexity: spec.complexity,
        classifier: "embedded",
        confidence: Math.round((0.6 + random() * 0.4) * 100) / 100,
      });
      if (spec.escalatedFrom) {
        store.tasks.setServed(id, {
          tier: spec.tier,
          model,
          escalatedFrom: spec.escalatedFrom,
          escalationReason: "self-check failed",
        });
        store.modelCalls.insert({
          taskId: id,
          createdAt: at + 10,
          provider: "ollama",
          model: MODEL[spec.escalatedFrom] ?? spec.escalatedFrom,
          tier: spec.escalatedFrom,
          attempt: 1,
          inputTokens: 400,
          outputTokens: 200,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd: 0,
          latencyMs: 900,
          ok: true,
          errorCode: null,
          local: true,
        });
      }
      const inputTokens = 300 + Math.floor(random() * 2000);
      const outputTokens = 100 + Math.floor(random() * 800);
      const price = PRICE[spec.tier] ?? 0;
      spec.tools.forEach((step, k) => {
        store.steps.insert({
          taskId: id,
          step: k + 1,
          tool: step.tool,
          callId: `call_${k + 1}`,
          args: {},
          status: step.error ? "error" : "success",
          result: step.error ? step.error.result : "ok",
          errorCode: step.error ? step.error.code : null,
          createdAt: at + 100 + k * 50,
          durationMs: 20 + Math.floor(random() * 200),
        });
      });
      if (spec.skill) {
        store.skills.recordRun({
          skill: spec.skill.name,
          version: "1.0.0",
          taskId: id,
          at: at + 150,
          ok: spec.skill.ok,
          exitCode: spec.skill.ok ? 0 : 1,
          durationMs: 50 + Math.floor(random() * 400),
          error: spec.skill.error,
        });
      }
      const latency = local ? 600 + Math.floor(random() * 3000) : 800 + Math.floor(random() * 6000);
      store.modelCalls.insert({
        taskId: id,
        createdAt: at + 200,
        provider: local ? "ollama" : "anthropic",
        model,
        tier: spec.tier,
        attempt: 1,
        inputTokens,
        outputTokens,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: Math.round(price * (inputTokens + 4 * outputTokens) * 1e3) / 1e6,
        latencyMs: latency,
        ok: spec.status === "succeeded",
        errorCode: spec.status === "succeeded" ? null : (spec.error?.code ?? null),
        local,
      });
      store.tasks.finish(id, {
        status: spec.status,
        output: spec.status === "succeeded" ? "done" : "",
        ...(spec.error ? { error: spec.error } : {}),
        durationMs: latency + 300 + spec.tools.length * 150,
      });
      if (spec.skill) store.skills.setTaskOutcome(id, spec.status === "succeeded");
    });
  })();
  return { start, end: times.reduce((max, t) => Math.max(max, t), start), declineAt, ids };
}
