import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AgentBase } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { extractTaskFeatures, FEATURE_VERSION } from "./features.js";
import { dot, hash, logits, type SparseFeatures, sigmoid, softmaxInPlace } from "./linear.js";
import { type Complexity, dequantize, type SerializedModel } from "./model-format.js";
import type { MaterialKind } from "./split.js";

export const DEFAULT_MODEL_FILE = fileURLToPath(new URL("../../data/routing/model.json", import.meta.url));

/** How much of the task the model has seen words of before. */
export interface Evidence {
  /** The instruction's words (digits and one-letter words aside). */
  words: number;
  /** Of those, the ones that occur somewhere in the training data. */
  known: number;
  /** known / words; 1 when there are no words to judge. */
  share: number;
}

export interface Classification {
  agent: AgentBase;
  /** Calibrated: over tasks like the training data, decisions at 0.9 are right about 90% of the time. */
  agentConfidence: number;
  complexity: Complexity;
  complexityConfidence: number;
  /** That both halves are right: the product of the two calibrated confidences. */
  confidence: number;
  probabilities: Record<AgentBase, number>;
  evidence: Evidence;
  /** The instruction the complexity was judged on, and the kinds of material pasted with it. */
  instruction: string;
  material: MaterialKind[];
}

/** One feature's push towards a decision, for `hob route --explain`. */
export interface FeatureContribution {
  feature: string;
  weight: number;
}

export interface Explanation {
  /** Features that pushed towards the chosen agent over the runner-up. */
  agent: FeatureContribution[];
  /** Features that pushed towards the chosen complexity. */
  complexity: FeatureContribution[];
}

/** The embedded classifier: no model server, no network, microseconds per decision. */
export class EmbeddedClassifier {
  private readonly agentWeights: Float32Array;
  private readonly complexityWeights: Float32Array;
  private readonly scores: Float64Array;
  private readonly vocabulary: Uint8Array;

  constructor(private readonly model: SerializedModel) {
    if (model.feature_version !== FEATURE_VERSION || model.version !== 2) {
      throw new HobError("E_CONFIG", "The routing model was trained with other features than this hob extracts.", {
        hint: "Retrain it: npm run train:router",
      });
    }
    this.agentWeights = dequantize(model.agent.weights, model.agent.scale);
    this.complexityWeights = dequantize(model.complexity.weights, model.complexity.scale);
    this.scores = new Float64Array(model.agents.length);
    this.vocabulary = new Uint8Array(Buffer.from(model.vocabulary.data, "base64"));
  }

  static load(file = DEFAULT_MODEL_FILE): EmbeddedClassifier {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new HobError("E_CONFIG", `The routing model ${file} cannot be read.`, {
        hint: "Reinstall hob, or retrain it: npm run train:router",
        cause: error,
      });
    }
    return new EmbeddedClassifier(JSON.parse(text) as SerializedModel);
  }

  classify(text: string): Classification {
    const features = extractTaskFeatures(text, this.model.dim);
    const best = this.agentScores(features.agent);
    const z = this.complexityLogit(features.complexity);
    const p = sigmoid(z / this.model.complexity.temperature);
    const agentConfidence = this.scores[best] as number;
    const complexityConfidence = Math.max(p, 1 - p);
    const probabilities = Object.fromEntries(
      this.model.agents.map((agent, i) => [agent, Math.round((this.scores[i] as number) * 1000) / 1000]),
    ) as Record<AgentBase, number>;
    return {
      agent: this.model.agents[best] as AgentBase,
      agentConfidence,
      complexity: p >= 0.5 ? "complex" : "simple",
      complexityConfidence,
      confidence: agentConfidence * complexityConfidence,
      probabilities,
      evidence: this.evidence(features.instructionWords),
      instruction: features.split.instruction,
      material: features.split.kinds,
    };
  }

  /** The features that drove a decision, strongest first (`hob route --explain`). */
  explain(text: string, top = 6): Explanation {
    const features = extractTaskFeatures(text, this.model.dim, { names: true });
    const names = features.names as Map<number, Set<string>>;
    const best = this.agentScores(features.agent);
    let second = best === 0 ? 1 : 0;
    for (let c = 0; c < this.scores.length; c++)
      if (c !== best && (this.scores[c] as number) > (this.scores[second] as number)) second = c;
    const { dim } = this.model;
    const agent = contributions(features.agent, names, (index) => {
      const w = this.agentWeights;
      return (w[best * dim + index] as number) - (w[second * dim + index] as number);
    });
    const sign = this.complexityLogit(features.complexity) >= 0 ? 1 : -1;
    const complexity = contributions(
      features.complexity,
      names,
      (index) => sign * (this.complexityWeights[index] as number),
    );
    return { agent: agent.slice(0, top), complexity: complexity.slice(0, top) };
  }

  private agentScores(x: SparseFeatures): number {
    logits(this.agentWeights, this.model.agent.bias, x, this.model.dim, this.scores);
    softmaxInPlace(this.scores, this.model.agent.temperature);
    let best = 0;
    for (let c = 1; c < this.scores.length; c++)
      if ((this.scores[c] as number) > (this.scores[best] as number)) best = c;
    return best;
  }

  private complexityLogit(x: SparseFeatures): number {
    return dot(this.complexityWeights, 0, x) + this.model.complexity.bias;
  }

  private evidence(list: string[]): Evidence {
    const judged = list.filter((word) => word.length > 1 && !/^\d+$/.test(word));
    const bits = this.model.vocabulary.bits;
    const known = judged.filter((word) => {
      const bit = hash(`v:${word}`) % bits;
      return ((this.vocabulary[bit >> 3] as number) & (1 << (bit & 7))) !== 0;
    }).length;
    return {
      words: judged.length,
      known,
      share: judged.length === 0 ? 1 : Math.round((known / judged.length) * 1000) / 1000,
    };
  }
}

/** Per hashed index, value × weight; named by the features hashed there (collisions joined by "|"). */
function contributions(
  x: SparseFeatures,
  names: Map<number, Set<string>>,
  weightAt: (index: number) => number,
): FeatureContribution[] {
  const out: FeatureContribution[] = [];
  for (let i = 0; i < x.indices.length; i++) {
    const index = x.indices[i] as number;
    const weight = (x.values[i] as number) * weightAt(index);
    if (weight > 0)
      out.push({ feature: [...(names.get(index) ?? [])].join("|"), weight: Math.round(weight * 1000) / 1000 });
  }
  return out.sort((a, b) => b.weight - a.weight);
}
