/** The vector-store sub-room of memory: one interface, an embedded and a server backend. */

export { chromaCollectionName } from "./chroma.js";
export {
  createVectorStore,
  registerVectorStore,
  type VectorStoreFactory,
  type VectorStoreOptionsByKind,
  vectorStoreKinds,
} from "./registry.js";
export { loadSqliteVec, vecTableName } from "./sqlite-vec.js";
export {
  type ChromaOptions,
  MAX_K,
  type MetadataValue,
  type SqliteVecOptions,
  type VectorFilter,
  type VectorHit,
  type VectorRecord,
  type VectorStore,
  type VectorStoreKind,
} from "./types.js";
