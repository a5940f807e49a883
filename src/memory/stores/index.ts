/** The vector-store sub-room of memory: one interface, an embedded and a server backend. */

// The backends themselves (chroma.js imports the ChromaDB client) load only when a store of
// theirs is created: see registry.ts.
export {
  createVectorStore,
  registerVectorStore,
  type VectorStoreFactory,
  type VectorStoreOptionsByKind,
  vectorStoreKinds,
} from "./registry.js";
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
export { withoutCredentials } from "./url.js";
