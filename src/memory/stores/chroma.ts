/**
 * The Chroma vector store: one collection per embedding space on a Chroma server
 * (`memory.chroma_url`), cosine HNSW, our own embeddings (`embeddingFunction: null`; Chroma's
 * default embedder downloads a model). Every failure of the server, down, slow or answering
 * errors, is E_UNAVAILABLE with a hint; requests are bounded by `timeoutMs`.
 *
 * Chroma's upsert merges metadata into the old record's, so a replace is delete-then-add
 * (not atomic: a failure between the two loses the old records of that batch).
 */
import { createHash } from "node:crypto";
import { ChromaClient, type Collection, type Metadata, type Where } from "chromadb";
import { HobError, isHobError } from "../../errors/index.js";
import {
  type ChromaOptions,
  checkIds,
  checkQuery,
  checkRecords,
  checkSpace,
  closedError,
  lastById,
  type MetadataValue,
  type VectorFilter,
  type VectorHit,
  type VectorRecord,
  type VectorStore,
} from "./types.js";
import { withoutCredentials } from "./url.js";

const DEFAULT_TIMEOUT_MS = 10_000;
/** When the server does not say its own limit. */
const FALLBACK_BATCH = 1000;
/**
 * Numbers per write request. Chroma adds ~500 vectors of 384 dims a second here, so its own
 * limit (5,461 records) at 384 dims would take ~10 s a request and meet the timeout; ~384k
 * numbers keep a request near 2 s (1,000 records at 384 dims, 500 at 768).
 */
const NUMBERS_PER_WRITE = 384_000;

/**
 * A valid Chroma collection name for any space (3–512 of [a-zA-Z0-9._-], alphanumeric at both
 * ends): `memory-<space with other characters as "-">-<sha1-8 of space>`; the hash keeps two
 * spaces that differ only in replaced characters apart.
 */
export function chromaCollectionName(space: string): string {
  const readable = space
    .replace(/[^a-zA-Z0-9_-]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, 64);
  const hash = createHash("sha1").update(space).digest("hex").slice(0, 8);
  return readable === "" ? `memory-${hash}` : `memory-${readable}-${hash}`;
}

function parseUrl(url: string): { host: string; port: number; ssl: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HobError("E_CONFIG", "memory.chroma_url is not a URL.", {
      hint: "Set memory.chroma_url to the server's address, e.g. http://127.0.0.1:8000.",
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new HobError("E_CONFIG", `memory.chroma_url must be http or https, not ${parsed.protocol}.`, {
      hint: "Set memory.chroma_url to the server's address, e.g. http://127.0.0.1:8000.",
    });
  }
  const ssl = parsed.protocol === "https:";
  const port = parsed.port === "" ? (ssl ? 443 : 80) : Number(parsed.port);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ""), port, ssl };
}

/** The first line of a message, without the URL's long collection path. */
function shortMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split("\n")[0] ?? "").replace(/https?:\/\/\S+/g, "the server").slice(0, 300);
}

class ChromaStore implements VectorStore {
  readonly kind = "chroma" as const;
  private closed = false;
  private maxBatch: number | undefined;

  private constructor(
    private readonly client: ChromaClient,
    private collection: Collection,
    private readonly url: string,
    private readonly timeoutMs: number,
    readonly space: string,
    readonly dimensions: number,
  ) {}

  static async open(options: ChromaOptions): Promise<ChromaStore> {
    checkSpace(options?.space, options?.dimensions);
    const { space, dimensions } = options;
    // Messages name the server without any user or password the URL carries (the client does not use them).
    const url = withoutCredentials(options.url);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new HobError("E_VALIDATION", `timeoutMs must be a positive number, not ${String(timeoutMs)}.`, {
        hint: "Leave it out for the default of 10 s.",
      });
    }
    const client = new ChromaClient(parseUrl(options.url));
    await bounded(url, timeoutMs, "answer a heartbeat", () => client.heartbeat());
    const collection = await bounded(url, timeoutMs, `open the collection of "${space}"`, () =>
      openCollection(client, space, dimensions),
    );
    return new ChromaStore(client, collection, url, timeoutMs, space, dimensions);
  }

  private call<T>(doing: string, run: () => Promise<T>): Promise<T> {
    return bounded(this.url, this.timeoutMs, doing, run);
  }

  private live(): void {
    if (this.closed) throw closedError(this.kind, this.space);
  }

  /** The server's own limit on records per request. */
  private async batchSize(): Promise<number> {
    if (this.maxBatch === undefined) {
      const limit = await this.call("say its batch size", () => this.client.getMaxBatchSize());
      this.maxBatch = limit > 0 ? limit : FALLBACK_BATCH;
    }
    return this.maxBatch;
  }

  /** Records per write: the server's limit, and few enough numbers to finish well within the timeout. */
  private async writeBatchSize(): Promise<number> {
    return Math.max(1, Math.min(await this.batchSize(), Math.floor(NUMBERS_PER_WRITE / this.dimensions)));
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    this.live();
    checkRecords(records, this.dimensions, this.space);
    const unique = lastById(records);
    if (unique.length === 0) return;
    const size = await this.writeBatchSize();
    for (let start = 0; start < unique.length; start += size) {
      const chunk = unique.slice(start, start + size);
      const ids = chunk.map((record) => record.id);
      // Chroma merges the metadata of an upsert into the old one (even a null value keeps the old
      // key), so a replace deletes the ids that exist first. Asking which exist is ~10× cheaper
      // than deleting ids that do not.
      const existing = await this.call("look up ids", () => this.collection.get({ ids, include: [] }));
      if (existing.ids.length > 0) {
        await this.call("delete the old vectors", () => this.collection.delete({ ids: existing.ids }));
      }
      await this.call("save vectors", () =>
        this.collection.add({
          ids,
          embeddings: chunk.map((record) => record.vector),
          // Chroma refuses {} but takes null for "no metadata".
          metadatas: chunk.map((record) =>
            Object.keys(record.metadata).length === 0 ? null : record.metadata,
          ) as Metadata[],
        }),
      );
    }
  }

  async delete(ids: string[]): Promise<void> {
    this.live();
    checkIds(ids);
    if (ids.length === 0) return;
    const size = await this.batchSize();
    for (let start = 0; start < ids.length; start += size) {
      const chunk = ids.slice(start, start + size);
      await this.call("delete vectors", () => this.collection.delete({ ids: chunk }));
    }
  }

  async query(vector: number[], k: number, filter?: VectorFilter): Promise<VectorHit[]> {
    this.live();
    checkQuery(vector, k, filter, this.dimensions, this.space);
    if (k === 0) return [];
    const where = toWhere(filter);
    const result = await this.call("search vectors", () =>
      this.collection.query({
        queryEmbeddings: [vector],
        nResults: k,
        include: ["distances", "metadatas"],
        ...(where === undefined ? {} : { where }),
      }),
    );
    const ids = result.ids[0] ?? [];
    const distances = result.distances[0] ?? [];
    const metadatas = result.metadatas[0] ?? [];
    return ids.map((id, index) => ({
      id,
      score: 1 - (distances[index] ?? 1),
      metadata: (metadatas[index] ?? {}) as Record<string, MetadataValue>,
    }));
  }

  async count(): Promise<number> {
    this.live();
    return this.call("count vectors", () => this.collection.count());
  }

  async clear(): Promise<void> {
    this.live();
    const name = chromaCollectionName(this.space);
    await this.call("clear the space", async () => {
      try {
        await this.client.deleteCollection({ name });
      } catch (error) {
        if ((error as Error)?.name !== "ChromaNotFoundError") throw error;
      }
    });
    this.collection = await this.call("clear the space", () =>
      openCollection(this.client, this.space, this.dimensions),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

async function openCollection(client: ChromaClient, space: string, dimensions: number): Promise<Collection> {
  const collection = await client.getOrCreateCollection({
    name: chromaCollectionName(space),
    configuration: { hnsw: { space: "cosine" } },
    metadata: { hob_space: space, hob_dimensions: dimensions },
    embeddingFunction: null,
  });
  const held = collection.metadata?.hob_dimensions;
  if (typeof held === "number" && held !== dimensions) {
    throw new HobError(
      "E_VALIDATION",
      `The vector space "${space}" holds ${held}-dimensional vectors in Chroma, not ${dimensions}.`,
      { hint: "Name the space after the embedder and its size, or clear it and reindex." },
    );
  }
  const metric = collection.configuration?.hnsw?.space;
  if (metric && metric !== "cosine") {
    throw new HobError("E_CONFLICT", `The Chroma collection of "${space}" measures ${metric}, not cosine.`, {
      hint: `Delete the collection ${chromaCollectionName(space)} in Chroma and reindex.`,
    });
  }
  return collection;
}

/** Equality on every key: one key as `{key: value}`, several as `{$and: [...]}`. */
function toWhere(filter: VectorFilter | undefined): Where | undefined {
  const entries = Object.entries(filter ?? {});
  if (entries.length === 0) return undefined;
  const clauses = entries.map(([key, value]) => ({ [key]: { $eq: value } }) as Where);
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

function unavailable(url: string, doing: string, detail: string, cause?: unknown): HobError {
  return new HobError("E_UNAVAILABLE", `Chroma at ${url} did not ${doing}: ${detail}`, {
    hint: `Start Chroma at ${url} (the memory.chroma_url setting), e.g. \`npx chroma run --path ~/.hob/chroma --port 8001\`, or set \`memory.store: sqlite\` in hob.yaml.`,
    retryable: true,
    cause,
  });
}

/** Runs one request with a deadline; anything the client throws becomes E_UNAVAILABLE. */
async function bounded<T>(url: string, timeoutMs: number, doing: string, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(url, doing, `no answer within ${timeoutMs} ms.`)), timeoutMs);
  });
  try {
    return await Promise.race([run(), deadline]);
  } catch (error) {
    if (isHobError(error)) throw error;
    const detail =
      (error as Error)?.name === "ChromaConnectionError" ? "the server is not reachable." : shortMessage(error);
    throw unavailable(url, doing, detail, error);
  } finally {
    clearTimeout(timer);
  }
}

export function createChromaStore(options: ChromaOptions): Promise<VectorStore> {
  return ChromaStore.open(options);
}
