export { analyseHistory, sortFindings } from "./analyse.js";
export { CLUSTER_DEFAULTS, type Clustering, type ClusterOptions, clusterDocuments } from "./cluster.js";
export { PLACEHOLDERS, stem, type Token, termSet, terms, tokenise } from "./text.js";
export {
  type AnalysisOptions,
  type Complexity,
  FINDING_KINDS,
  type Finding,
  type FindingAction,
  type FindingEvidence,
  type FindingKind,
  THRESHOLDS,
} from "./types.js";
