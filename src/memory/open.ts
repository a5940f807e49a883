import type { LoadedConfig } from "../config/index.js";
import { createEmbedder, type Embedder } from "../models/index.js";
import type { Store } from "../store/index.js";
import { Memory } from "./service.js";
import { createVectorStore } from "./stores/index.js";

/** `memory.embedder` as the embedder registry's spec: builtin, none, ollama/<model>, openai/<model>. */
export function memoryEmbedder(config: LoadedConfig, env: NodeJS.ProcessEnv): Embedder | undefined {
  const name = config.config.memory.embedder;
  if (name === "none") return undefined;
  if (name === "builtin") return createEmbedder({ provider: "builtin", model: "hash-384" }, env);
  const [provider, ...model] = name.split("/");
  return createEmbedder({ provider: provider as "ollama" | "openai", model: model.join("/") }, env);
}

/**
 * Memory as configured: the embedder `memory.embedder` names and the vector store
 * `memory.store` names (sqlite-vec tables in hob's database, or ChromaDB at `chroma_url`).
 * Nothing is opened until it is used: a store is opened at the first vector read or write.
 */
export function openMemory(
  config: LoadedConfig,
  store: Store,
  options: { env?: NodeJS.ProcessEnv; now?: () => number } = {},
): Memory {
  const memory = config.config.memory;
  const embedder = memoryEmbedder(config, options.env ?? process.env);
  return new Memory({
    store,
    ...(embedder ? { embedder } : {}),
    openVectors: (space, dimensions) =>
      memory.store === "chroma"
        ? createVectorStore("chroma", { url: memory.chroma_url, space, dimensions })
        : createVectorStore("sqlite", { db: store.db, space, dimensions }),
    now: options.now ?? Date.now,
    halfLifeDays: memory.recency_half_life_days,
    minSimilarity: memory.min_similarity,
  });
}
