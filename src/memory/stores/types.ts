/**
 * The vector store contract every backend implements (sqlite-vec embedded, Chroma server),
 * and the checks both run at the edge, so a bad vector is refused the same way everywhere.
 */
import type { Database } from "better-sqlite3";
import { HobError } from "../../errors/index.js";

export type MetadataValue = string | number | boolean;

export interface VectorRecord {
  id: string;
  vector: number[];
  metadata: Record<string, MetadataValue>;
}

export interface VectorHit {
  id: string;
  /** cosine similarity in [-1, 1], higher is closer */
  score: number;
  metadata: Record<string, MetadataValue>;
}

/** Equality on every key (AND). */
export type VectorFilter = Record<string, MetadataValue>;

export type VectorStoreKind = "sqlite" | "chroma";

export interface VectorStore {
  readonly kind: VectorStoreKind;
  /** One collection per embedding space, e.g. "builtin-hash-384" or "ollama-nomic-embed-text-768"; vectors of another length are refused with E_VALIDATION. */
  readonly space: string;
  readonly dimensions: number;
  /** Insert or replace by id (vector and metadata both replaced); batch-friendly (10k at once works). */
  upsert(records: VectorRecord[]): Promise<void>;
  /** Unknown ids are fine. */
  delete(ids: string[]): Promise<void>;
  /** Best first; k-NN by cosine; with a filter, still k results when k matching exist. `k` is 0‥MAX_K. */
  query(vector: number[], k: number, filter?: VectorFilter): Promise<VectorHit[]>;
  count(): Promise<number>;
  /** Drops everything of this space (for reindex); the store stays usable. */
  clear(): Promise<void>;
  /** Releases the store (never the caller's database); later calls fail with E_STORE. */
  close(): Promise<void>;
}

export interface SqliteVecOptions {
  db: Database;
  space: string;
  dimensions: number;
}

export interface ChromaOptions {
  /** e.g. http://127.0.0.1:8000 (`memory.chroma_url`) */
  url: string;
  space: string;
  dimensions: number;
  /** Bound on each request to the server; default 10 s. */
  timeoutMs?: number;
}

/** sqlite-vec's KNN limit; Chroma is held to the same so both stores answer alike. */
export const MAX_K = 4096;
/** Longest id and metadata key accepted. */
const MAX_ID_LENGTH = 1024;
const MAX_DIMENSIONS = 8192;

function invalid(message: string, hint: string): HobError {
  return new HobError("E_VALIDATION", message, { hint });
}

export function checkSpace(space: unknown, dimensions: unknown): void {
  if (typeof space !== "string" || space.trim() === "" || space.length > 200) {
    throw invalid(
      "A vector store needs a space name of 1 to 200 characters.",
      'Name the embedding space after the embedder and its size, e.g. "ollama-nomic-embed-text-768".',
    );
  }
  if (
    typeof dimensions !== "number" ||
    !Number.isInteger(dimensions) ||
    dimensions < 1 ||
    dimensions > MAX_DIMENSIONS
  ) {
    throw invalid(
      `A vector store needs a whole number of dimensions between 1 and ${MAX_DIMENSIONS}, not ${String(dimensions)}.`,
      "Pass the embedder's `dimensions`.",
    );
  }
}

export function checkVector(vector: unknown, dimensions: number, space: string, what: string): void {
  if (!Array.isArray(vector)) {
    throw invalid(`${what} is not a list of numbers.`, "Pass the embedder's output (number[]) unchanged.");
  }
  if (vector.length !== dimensions) {
    throw invalid(
      `${what} has ${vector.length} dimensions; the space "${space}" holds ${dimensions}.`,
      "Embed with the model this space was built for, or open the store of the embedder's own space (reindex after changing embedders).",
    );
  }
  let squares = 0;
  for (const value of vector) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw invalid(
        `${what} holds ${String(value)}; every component must be a finite number.`,
        "Check the embedder: NaN or Infinity usually means a failed or overflowed embedding.",
      );
    }
    squares += value * value;
  }
  if (squares === 0) {
    throw invalid(
      `${what} is all zeros, which has no direction for cosine similarity.`,
      "Check the embedder: an empty text or a failed call can give a zero vector.",
    );
  }
}

export function checkId(id: unknown, what = "An id"): asserts id is string {
  if (typeof id !== "string" || id === "" || id.length > MAX_ID_LENGTH) {
    throw invalid(
      `${what} must be a non-empty string of at most ${MAX_ID_LENGTH} characters, not ${JSON.stringify(id) ?? String(id)}.`,
      "Give every record a stable id, e.g. the memory row's id.",
    );
  }
}

export function checkMetadata(metadata: unknown, what: string): asserts metadata is Record<string, MetadataValue> {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw invalid(`${what} must be an object of strings, numbers and booleans.`, "Pass {} when there is none.");
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (key === "" || key.length > MAX_ID_LENGTH || key.startsWith("$") || key.startsWith("#")) {
      throw invalid(
        `${what} has the key ${JSON.stringify(key)}; keys must be non-empty and not start with "$" or "#".`,
        'Use plain names such as "kind" or "source".',
      );
    }
    const ok =
      typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));
    if (!ok) {
      throw invalid(
        `${what} has ${JSON.stringify(key)} = ${String(value)}; values must be strings, finite numbers or booleans.`,
        "Flatten nested values into strings (e.g. JSON) or drop them.",
      );
    }
  }
}

export function checkRecords(records: unknown, dimensions: number, space: string): asserts records is VectorRecord[] {
  if (!Array.isArray(records)) throw invalid("upsert takes a list of records.", "Pass an array, even for one record.");
  records.forEach((record: VectorRecord, index) => {
    const what = `Record ${index}`;
    if (typeof record !== "object" || record === null) {
      throw invalid(`${what} is not an object.`, "Each record is { id, vector, metadata }.");
    }
    checkId(record.id, `${what}'s id`);
    checkVector(record.vector, dimensions, space, `The vector of "${record.id}"`);
    checkMetadata(record.metadata, `The metadata of "${record.id}"`);
  });
}

/** The last record of each id wins, as if the batch were applied in order. */
export function lastById(records: VectorRecord[]): VectorRecord[] {
  const byId = new Map<string, VectorRecord>();
  for (const record of records) {
    byId.delete(record.id);
    byId.set(record.id, record);
  }
  return [...byId.values()];
}

export function checkIds(ids: unknown): asserts ids is string[] {
  if (!Array.isArray(ids)) throw invalid("delete takes a list of ids.", "Pass an array, even for one id.");
  for (const id of ids) checkId(id);
}

export function checkQuery(vector: unknown, k: unknown, filter: unknown, dimensions: number, space: string): void {
  checkVector(vector, dimensions, space, "The query vector");
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0 || k > MAX_K) {
    throw invalid(`k must be a whole number from 0 to ${MAX_K}, not ${String(k)}.`, "Ask for fewer neighbours.");
  }
  if (filter !== undefined) checkMetadata(filter, "The filter");
}

export function closedError(kind: VectorStoreKind, space: string): HobError {
  return new HobError("E_STORE", `The ${kind} vector store of "${space}" is closed.`, {
    hint: "Open it again with createVectorStore().",
  });
}
