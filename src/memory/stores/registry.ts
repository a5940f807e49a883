/**
 * Vector stores by name, chosen by config (`memory.store: sqlite | chroma`). The built-in
 * kinds are registered here; `registerVectorStore` replaces one (e.g. a fake in a test).
 */
import { HobError } from "../../errors/index.js";
import type { ChromaOptions, SqliteVecOptions, VectorStore, VectorStoreKind } from "./types.js";

export interface VectorStoreOptionsByKind {
  sqlite: SqliteVecOptions;
  chroma: ChromaOptions;
}

export type VectorStoreFactory<K extends VectorStoreKind> = (
  options: VectorStoreOptionsByKind[K],
) => Promise<VectorStore>;

// Each backend is loaded when first used: `hob run` opens no vector store until memory is
// recalled, and the ChromaDB client (about 120 ms to import) never loads for a sqlite user.
const factories: { [K in VectorStoreKind]: VectorStoreFactory<K> } = {
  sqlite: async (options) => (await import("./sqlite-vec.js")).createSqliteVecStore(options),
  chroma: async (options) => (await import("./chroma.js")).createChromaStore(options),
};

export function registerVectorStore<K extends VectorStoreKind>(kind: K, factory: VectorStoreFactory<K>): void {
  (factories as Record<VectorStoreKind, unknown>)[kind] = factory;
}

export function vectorStoreKinds(): VectorStoreKind[] {
  return Object.keys(factories) as VectorStoreKind[];
}

export function createVectorStore(kind: "sqlite", options: SqliteVecOptions): Promise<VectorStore>;
export function createVectorStore(kind: "chroma", options: ChromaOptions): Promise<VectorStore>;
export async function createVectorStore(
  kind: VectorStoreKind,
  options: SqliteVecOptions | ChromaOptions,
): Promise<VectorStore> {
  const factory = Object.hasOwn(factories, kind) ? factories[kind] : undefined;
  if (!factory) {
    throw new HobError("E_CONFIG", `Unknown vector store ${JSON.stringify(kind)}.`, {
      hint: `Set memory.store to one of: ${vectorStoreKinds().join(", ")}.`,
    });
  }
  return (factory as (o: typeof options) => Promise<VectorStore>)(options);
}
