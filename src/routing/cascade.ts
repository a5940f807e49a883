import type { AgentName, HobConfig, Tier } from "../config/index.js";
import { type HobError, toHobError } from "../errors/index.js";
import type { RouteOptions, Router } from "../models/index.js";
import { type Classification, EmbeddedClassifier } from "./classifier.js";
import { classifyWithLocalModel, type LocalVerdict } from "./local-llm.js";
import type { Complexity } from "./model-format.js";

export type ClassifierName = "embedded" | "local-llm" | "cloud-fallback" | "forced" | "pinned";

/** What `hob route` prints, and what a task records about how it was routed. */
export interface RouteDecision {
  agent: AgentName;
  tier: Tier;
  complexity: Complexity;
  confidence: number;
  classifier: ClassifierName;
  reason: string;
}

export interface CascadeDeps {
  routing: HobConfig["routing"];
  /** Needed for step 2 (the local model); without it the cascade skips to the cloud. */
  router?: Router;
  classifier?: EmbeddedClassifier;
}

const pct = (p: number) => `${Math.round(p * 100)}%`;

/**
 * Decides agent and tier for a task:
 *  1. the embedded classifier (no model, no network, microseconds);
 *  2. below `classifier_threshold`, the local-fast model classifies with JSON output;
 *  3. still below `llm_threshold` (or no local model), the task goes to the cloud.
 */
export class RoutingCascade {
  private classifier: EmbeddedClassifier | undefined;

  constructor(private readonly deps: CascadeDeps) {
    this.classifier = deps.classifier;
  }

  /** The embedded step alone (used by benchmarks and as step 1). */
  embedded(task: string): Classification {
    this.classifier ??= EmbeddedClassifier.load();
    return this.classifier.classify(task);
  }

  async decide(
    task: string,
    options: { tier?: Tier; signal?: AbortSignal; onAttempt?: RouteOptions["onAttempt"] } = {},
  ): Promise<RouteDecision> {
    const { routing } = this.deps;
    const first = this.embedded(task);
    const base = { agent: first.agent, complexity: first.complexity, confidence: round(first.confidence) };
    if (options.tier)
      return { ...base, tier: options.tier, classifier: "forced", reason: `tier forced to ${options.tier}` };
    if (routing.default_tier !== "auto") {
      return {
        ...base,
        tier: routing.default_tier,
        classifier: "pinned",
        reason: `routing.default_tier is ${routing.default_tier}`,
      };
    }
    const embeddedReason = `embedded classifier: ${first.agent} (${pct(first.agentConfidence)}), ${first.complexity} (${pct(first.complexityConfidence)})`;
    if (first.confidence >= routing.classifier_threshold) {
      return {
        ...base,
        tier: this.tierFor(first.complexity, first.agent),
        classifier: "embedded",
        reason: embeddedReason,
      };
    }

    let verdict: LocalVerdict | undefined;
    let why = `local classifier disabled`;
    // Only a local model classifies: routing's own questions never cost a cloud call.
    if (routing.local_classifier && this.deps.router?.isLocal("local-fast")) {
      try {
        verdict = await classifyWithLocalModel(this.deps.router, task, options);
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
          reason: `${embeddedReason} below ${routing.classifier_threshold}; local model: ${verdict.agent}, ${verdict.complexity} (${pct(verdict.confidence)})`,
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
      reason: `${embeddedReason} below ${routing.classifier_threshold}; ${why}: sent to the cloud`,
    };
  }

  private tierFor(complexity: Complexity, agent: AgentName): Tier {
    return this.deps.routing.tiers[complexity][agent];
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
