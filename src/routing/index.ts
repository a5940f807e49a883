export {
  type AgentMatch,
  AgentMatcher,
  DEFAULT_BACKGROUND_DIR,
  loadBackground,
  type RoutableAgent,
  terms,
} from "./agent-match.js";
export { type AnswerVerdict, assessAnswer, selfCheckScore } from "./answer-check.js";
export {
  type CascadeDeps,
  type ClassifierName,
  MIN_EVIDENCE,
  type RouteDecision,
  RoutingCascade,
} from "./cascade.js";
export {
  type Classification,
  DEFAULT_MODEL_FILE,
  EmbeddedClassifier,
  type Evidence,
  type Explanation,
  type FeatureContribution,
} from "./classifier.js";
export { describeFeature } from "./explain.js";
export {
  CLASSIFY_SCHEMA,
  CLASSIFY_SYSTEM_PROMPT,
  classifyQuestion,
  classifyWithLocalModel,
  extractJson,
  type LocalVerdict,
} from "./local-llm.js";
export { COMPLEXITIES, type Complexity } from "./model-format.js";
export { type LabelledTask, parseTsv, train } from "./trainer.js";
