/**
 * Memory: what hob remembers (finished tasks, facts the user told it, imported notes) and how
 * it recalls them: hybrid search (SQLite FTS5 with BM25, plus vectors in sqlite-vec or
 * ChromaDB) fused by reciprocal rank, re-weighted by recency and outcome, de-duplicated; and
 * as context sources with their own token budgets.
 */
export { memoryContextSources } from "./context-source.js";
export { ftsQuery } from "./fts-query.js";
export { toMemoryJson, toRecalledJson } from "./json.js";
export { clearSemanticCache, memoryEmbedder, openMemory, openSemanticCache } from "./open.js";
export { type Candidate, dedupeKey, type Ranked, RRF_K, rankCandidates, type Signals } from "./ranking.js";
export { SemanticCache, type SemanticCacheDeps } from "./semantic-cache.js";
export { Memory, type MemoryDeps, spaceName } from "./service.js";
export {
  createVectorStore,
  type VectorFilter,
  type VectorHit,
  type VectorRecord,
  type VectorStore,
  withoutCredentials,
} from "./stores/index.js";
export { taskMemory } from "./task-memory.js";
export type { MemoryWarning, NewMemoryInput, Recalled, SearchResult } from "./types.js";
