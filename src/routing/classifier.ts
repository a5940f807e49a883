import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AgentBase } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { extractFeatures, FEATURE_VERSION } from "./features.js";
import { type Complexity, dequantize, type SerializedModel } from "./model-format.js";
import { dot, sigmoid, softmaxScores } from "./trainer.js";

export const DEFAULT_MODEL_FILE = fileURLToPath(new URL("../../data/routing/model.json", import.meta.url));

export interface Classification {
  agent: AgentBase;
  agentConfidence: number;
  complexity: Complexity;
  complexityConfidence: number;
  /** The weaker of the two: a decision is only as sure as its least sure half. */
  confidence: number;
  probabilities: Record<AgentBase, number>;
}

/** The embedded classifier: no model server, no network, microseconds per decision. */
export class EmbeddedClassifier {
  private readonly agentWeights: Float32Array;
  private readonly complexityWeights: Float32Array;
  private readonly scores: Float64Array;

  constructor(private readonly model: SerializedModel) {
    if (model.feature_version !== FEATURE_VERSION) {
      throw new HobError("E_CONFIG", "The routing model was trained with other features than this hob extracts.", {
        hint: "Retrain it: npx tsx scripts/train-router.ts",
      });
    }
    this.agentWeights = dequantize(model.agent.weights, model.agent.scale);
    this.complexityWeights = dequantize(model.complexity.weights, model.complexity.scale);
    this.scores = new Float64Array(model.agents.length);
  }

  static load(file = DEFAULT_MODEL_FILE): EmbeddedClassifier {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new HobError("E_CONFIG", `The routing model ${file} cannot be read.`, {
        hint: "Reinstall hob, or retrain it: npx tsx scripts/train-router.ts",
        cause: error,
      });
    }
    return new EmbeddedClassifier(JSON.parse(text) as SerializedModel);
  }

  classify(text: string): Classification {
    const x = extractFeatures(text, this.model.dim);
    softmaxScores(this.agentWeights, this.model.agent.bias, x, this.model.dim, this.scores);
    let best = 0;
    for (let c = 1; c < this.scores.length; c++)
      if ((this.scores[c] as number) > (this.scores[best] as number)) best = c;
    const p = sigmoid(dot(this.complexityWeights, 0, x) + this.model.complexity.bias);
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
      confidence: Math.min(agentConfidence, complexityConfidence),
      probabilities,
    };
  }
}
