import { AGENT_BASES, type AgentBase, type HobConfig, type Tier } from "../config/index.js";
import { type HobError, toHobError } from "../errors/index.js";
import type { ModelClient, RouteOptions } from "../models/index.js";
import { type AgentMatch, AgentMatcher, loadBackground, type RoutableAgent } from "./agent-match.js";
import { type Classification, EmbeddedClassifier, type Evidence, type Explanation } from "./classifier.js";
import { detectLanguage } from "./language.js";
import { classifyWithLocalModel, type LocalVerdict } from "./local-llm.js";
import type { Complexity } from "./model-format.js";

export type ClassifierName = "agent-match" | "embedded" | "local-llm" | "cloud-fallback" | "forced" | "pinned";

/** What `hob route` prints, and what a task records about how it was routed. */
export interface RouteDecision {
  /** Any registered agent's name: a built-in one, or a user's agent picked by its examples. */
  agent: string;
  tier: Tier;
  complexity: Complexity;
  confidence: number;
  classifier: ClassifierName;
  reason: string;
  /** How much of the task's wording the embedded classifier has seen before, and the language when it was checked. */
  evidence?: Evidence & { language?: string };
}

/**
 * Below this share of known words (or in a language the data does not cover) the embedded
 * classifier's confidence is not trusted, however high: it has too little to go on.
 */
export const MIN_EVIDENCE = 0.6;
/** The language is only worth detecting (a 25 ms import) when some words are unknown. */
const CHECK_LANGUAGE_BELOW = 0.9;

export interface CascadeDeps {
  routing: HobConfig["routing"];
  /** Needed for step 2 (the local model); without it the cascade skips to the cloud. */
  router?: ModelClient;
  classifier?: EmbeddedClassifier;
  /**
   * The registered agents (name, description, examples, YAML tier), from the agent registry.
   * Those with examples can be picked by similarity (step 0) or by the local model (step 2).
   */
  agents?: readonly RoutableAgent[];
  /** Prebuilt matcher (tests, benchmarks); otherwise built from `agents` on first use. */
  matcher?: AgentMatcher;
}

const pct = (p: number) => `${Math.round(p * 100)}%`;

/**
 * Decides agent and tier for a task:
 *  0. a registered agent whose `examples:` the task closely resembles (`agent_match_threshold`)
 *     takes it, on its own YAML tier (no model, no network);
 *  1. the embedded classifier (no model, no network, microseconds);
 *  2. below `classifier_threshold`, the local-fast model classifies with JSON output, choosing
 *     among the built-in agents and those with examples;
 *  3. still below `llm_threshold` (or no local model), the task goes to the cloud.
 */
export class RoutingCascade {
  private classifier: EmbeddedClassifier | undefined;
  private matcher: AgentMatcher | undefined;
  private readonly routable: readonly RoutableAgent[];

  constructor(private readonly deps: CascadeDeps) {
    this.classifier = deps.classifier;
    this.matcher = deps.matcher;
    this.routable = (deps.agents ?? []).filter((a) => a.examples.length > 0);
  }

  /** The embedded step alone (used by benchmarks and as step 1). */
  embedded(task: string): Classification {
    this.classifier ??= EmbeddedClassifier.load();
    return this.classifier.classify(task);
  }

  /** The features that drove the embedded classifier's verdict (`hob route --explain`). */
  explain(task: string, top?: number): Explanation {
    this.classifier ??= EmbeddedClassifier.load();
    return this.classifier.explain(task, top);
  }

  /** Step 0 alone: the agent whose examples the task resembles enough, if any. */
  matchAgent(task: string): AgentMatch | undefined {
    if (!this.matcher && this.routable.length === 0) return undefined;
    this.matcher ??= new AgentMatcher(this.routable, loadBackground());
    return this.matcher.match(task, this.deps.routing.agent_match_threshold);
  }

  async decide(
    task: string,
    options: { tier?: Tier; signal?: AbortSignal; onAttempt?: RouteOptions["onAttempt"] } = {},
  ): Promise<RouteDecision> {
    const { routing } = this.deps;
    const first = this.embedded(task);
    const evidence: NonNullable<RouteDecision["evidence"]> = { ...first.evidence };

    const match = this.matchAgent(task);
    const base = match
      ? { agent: match.agent, complexity: first.complexity, confidence: round(match.score) }
      : { agent: first.agent as string, complexity: first.complexity, confidence: round(first.confidence) };
    const matched = match
      ? `agent "${match.agent}" matched its example ${JSON.stringify(clip(match.example))} (${match.score.toFixed(2)})`
      : "";
    if (options.tier) {
      const reason = `tier forced to ${options.tier}`;
      return {
        ...base,
        tier: options.tier,
        classifier: "forced",
        reason: match ? `${matched}; ${reason}` : reason,
        evidence,
      };
    }
    if (routing.default_tier !== "auto") {
      const reason = `routing.default_tier is ${routing.default_tier}`;
      return {
        ...base,
        tier: routing.default_tier,
        classifier: "pinned",
        reason: match ? `${matched}; ${reason}` : reason,
        evidence,
      };
    }
    if (match) {
      return {
        ...base,
        tier: this.tierFor(first.complexity, match.agent),
        classifier: "agent-match",
        reason: `${matched}; its tier is ${this.tierFor(first.complexity, match.agent)}`,
        evidence,
      };
    }
    // Steps 1–3 need to know whether the embedded verdict has enough to go on.
    let unsure = "";
    if (first.evidence.words >= 2 && first.evidence.share < MIN_EVIDENCE)
      unsure = `only ${pct(first.evidence.share)} of its words are known`;
    if (first.evidence.share < CHECK_LANGUAGE_BELOW) {
      const language = await detectLanguage(first.instruction);
      evidence.language = language.code;
      if (!language.trained) unsure = `written in a language routing has little data for (${language.code})`;
    }
    const embeddedReason = `embedded classifier: ${first.agent} (${pct(first.agentConfidence)}), ${first.complexity} (${pct(first.complexityConfidence)})`;
    if (first.confidence >= routing.classifier_threshold && !unsure) {
      return {
        ...base,
        tier: this.tierFor(first.complexity, first.agent),
        classifier: "embedded",
        reason: embeddedReason,
        evidence,
      };
    }
    const doubt = unsure
      ? `${embeddedReason}, but ${unsure}`
      : `${embeddedReason} below ${routing.classifier_threshold}`;

    let verdict: LocalVerdict | undefined;
    let why = `local classifier disabled`;
    // Only a local model classifies: routing's own questions never cost a cloud call.
    if (routing.local_classifier && this.deps.router?.isLocal("local-fast")) {
      try {
        verdict = await classifyWithLocalModel(this.deps.router, task, options, this.routable);
        why = verdict ? `local model not sure (${pct(verdict.confidence)})` : "local model gave no valid verdict";
      } catch (error) {
        const failure: HobError = toHobError(error);
        if (failure.code === "E_CANCELLED") throw failure;
        why = `local model unavailable (${failure.code})`;
      }
      if (verdict && verdict.confidence >= routing.llm_threshold) {
        return {
          agent: verdict.agent,
          complexity: verdict.complexity,
          confidence: round(verdict.confidence),
          tier: this.tierFor(verdict.complexity, verdict.agent),
          classifier: "local-llm",
          reason: `${doubt}; local model: ${verdict.agent}, ${verdict.complexity} (${pct(verdict.confidence)})`,
          evidence,
        };
      }
    }
    // Step 3: not sure enough locally, so let the cloud take it; a likely-complex task gets the smart tier.
    const best = verdict && verdict.confidence > first.confidence ? verdict : base;
    return {
      agent: best.agent,
      complexity: best.complexity,
      confidence: round(best.confidence),
      tier: best.complexity === "complex" ? "smart" : "fast",
      classifier: "cloud-fallback",
      reason: `${doubt}; ${why}: sent to the cloud`,
      evidence,
    };
  }

  /**
   * A built-in agent's tier comes from `routing.tiers` by the task's complexity; any other agent
   * (a user's, picked by its examples or by the local model) runs on the tier its YAML names.
   */
  private tierFor(complexity: Complexity, agent: string): Tier {
    if ((AGENT_BASES as readonly string[]).includes(agent))
      return this.deps.routing.tiers[complexity][agent as AgentBase];
    return this.routable.find((a) => a.name === agent)?.tier ?? this.deps.routing.tiers[complexity].general;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function clip(text: string, max = 80): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
