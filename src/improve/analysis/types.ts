export type FindingKind = "novel_pattern" | "repeated_failure" | "optimisation" | "skill_decline";

/** The order findings are listed in. */
export const FINDING_KINDS: readonly FindingKind[] = [
  "novel_pattern",
  "repeated_failure",
  "optimisation",
  "skill_decline",
];

export type Complexity = "simple" | "complex";

export type FindingAction =
  | { kind: "none" }
  /** Set `routing.tiers[complexity][agent] = tier`. */
  | { kind: "routing_change"; complexity: Complexity; agent: string; tier: string }
  /** A model writes a skill serving these tasks (their inputs). */
  | { kind: "new_skill"; examples: string[] }
  /** A model fixes this skill, given its failure messages. */
  | { kind: "skill_patch"; skill: string; failures: string[] }
  /** A model changes the agent's prompt or YAML. */
  | { kind: "agent_change"; agent: string; problem: string }
  /** Add `fallback` to the router config's fallbacks of model group `group` (litellm.yaml). */
  | { kind: "litellm_fallback"; group: string; fallback: string };

export interface FindingEvidence {
  /** The tasks behind the finding, most recent first, at most `MAX_EVIDENCE_IDS`. */
  task_ids: string[];
  /** The true number of tasks (or runs) behind it, however many ids are listed. */
  count: number;
  cost_usd?: number;
  [k: string]: unknown;
}

export interface Finding {
  /** Stable across runs for the same underlying issue: proposals are deduplicated on it. */
  key: string;
  kind: FindingKind;
  /** One line a person reads. */
  summary: string;
  evidence: FindingEvidence;
  action: FindingAction;
}

export interface AnalysisOptions {
  /** Tasks created at or after this moment (ms epoch); null for all history. */
  since: number | null;
  /** Tasks created after this are left out (and "recent" for skills ends here). */
  now: number;
  /** How many tasks (or failures) make a pattern worth a finding. */
  minEvidence: number;
  /** `routing.tiers`: complexity × agent → tier. */
  tiers: Record<Complexity, Record<string, string>>;
  /** The tiers that run on this machine. */
  localTiers: readonly string[];
  /** The router config's fallbacks (model group → groups tried next); absent: not checked. */
  fallbacks?: Record<string, readonly string[]>;
  /** Tiers from cheapest to strongest: a group with no fallback falls back to the next one up. */
  tierOrder?: readonly string[];
}

/** The thresholds of each detector, named so a finding can be explained. */
export const THRESHOLDS = {
  /** At most this many task ids in a finding's evidence. */
  maxEvidenceIds: 20,
  /** At most this many example inputs (new skill) or failure messages (skill patch). */
  maxExamples: 5,
  /** Cosine similarity at which two task inputs are "the same kind of task". */
  similarity: 0.5,
  /** A skill serves a cluster when its name and description hold this many of the cluster's top terms. */
  skillTermsMatched: 2,
  /** …or when at least this share of the cluster's tasks already ran an active skill. */
  skillRunShare: 0.5,
  /** An agent's error code must also be at least this share of its finished tasks. */
  agentFailureShare: 0.02,
  /** A tool's error code must be in at least this share of the tasks that used the tool. */
  toolFailureShare: 0.05,
  /** A skill must fail at least this share of its runs in the window. */
  skillFailureRate: 0.2,
  /** Local success without escalation needed to move a class off the cloud. */
  localSuccessRate: 0.9,
  /** A cost hotspot takes at least this share of the window's cost. */
  hotspotShare: 0.4,
  /** A skill declines when its success rate drops by this much… */
  declineDrop: 0.25,
  /** …and the drop is this many standard errors (two-proportion z-test). */
  declineZ: 2,
  /** Without `since`, skill runs of the last week are "recent". */
  recentWindowMs: 7 * 24 * 60 * 60 * 1000,
} as const;
