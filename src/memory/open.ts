import type { LoadedConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { createEmbedder, type Embedder } from "../models/index.js";
import type { Store } from "../store/index.js";
import { SemanticCache } from "./semantic-cache.js";
import { Memory } from "./service.js";
import { createVectorStore } from "./stores/index.js";

/** `memory.embedder` as the embedder registry's spec: builtin, none, ollama/<model>, openai/<model>. */
export function memoryEmbedder(config: LoadedConfig, env: NodeJS.ProcessEnv): Embedder | undefined {
  const name = config.config.memory.embedder;
  if (name === "none") return undefined;
  if (name === "builtin") return createEmbedder({ provider: "builtin", model: "hash-384" }, env);
  const [provider, ...rest] = name.split("/");
  const model = rest.join("/");
  // Where and with which key: what the loaded config resolved (hob.yaml, then OLLAMA_HOST /
  // OPENAI_* of the environment the config was loaded with), as the chat providers use.
  const options = config.proxy ? { proxy: config.proxy } : {};
  if (provider === "ollama")
    return createEmbedder({ provider: "ollama", model, base_url: config.ollama.host }, env, options);
  return createEmbedder(
    {
      provider: "openai",
      model,
      ...(config.openai.baseUrlSource === "env" ? { base_url: config.openai.baseUrl } : {}),
      ...(config.openai.apiKey ? { api_key: config.openai.apiKey } : {}),
    },
    env,
    options,
  );
}

/**
 * The response cache's semantic mode as configured (`cache.semantic`), with memory's embedder
 * and vector store; undefined when it is off. Throws E_CONFIG for the builtin embedder or none.
 */
export function openSemanticCache(
  config: LoadedConfig,
  store: Store,
  env: NodeJS.ProcessEnv = process.env,
): SemanticCache | undefined {
  const { semantic } = config.config.cache;
  if (!semantic.enabled || !config.config.cache.enabled) return undefined;
  const embedder = memoryEmbedder(config, env);
  if (!embedder) {
    throw new HobError("E_CONFIG", "cache.semantic needs an embedder, and memory.embedder is none.", {
      hint: "Set memory.embedder to ollama/<model> or openai/<model>, or cache.semantic.enabled: false.",
    });
  }
  const memory = config.config.memory;
  return new SemanticCache({
    embedder,
    threshold: semantic.threshold,
    openVectors: (space, dimensions) =>
      memory.store === "chroma"
        ? createVectorStore("chroma", { url: memory.chroma_url, space, dimensions })
        : createVectorStore("sqlite", { db: store.db, space, dimensions }),
  });
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

/**
 * Empties the semantic cache's vector spaces kept in hob's database (`hob cache clear`): the
 * answers are gone, so the rewordings that pointed at them go too. Returns how many were filed.
 * (A ChromaDB store keeps its `cache-*` collections; they only ever point at cleared keys.)
 */
export async function clearSemanticCache(store: Store): Promise<number> {
  const hasSpaces = store.db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'memory_vec_spaces'")
    .get();
  if (!hasSpaces) return 0;
  const spaces = store.db
    .prepare("SELECT space, dimensions FROM memory_vec_spaces WHERE space LIKE 'cache-%'")
    .all() as Array<{ space: string; dimensions: number }>;
  let removed = 0;
  for (const { space, dimensions } of spaces) {
    const vectors = await createVectorStore("sqlite", { db: store.db, space, dimensions });
    try {
      removed += await vectors.count();
      await vectors.clear();
    } finally {
      await vectors.close();
    }
  }
  return removed;
}
