import type { MemoryKind, MemoryMetadata } from "../store/index.js";
import type { Signals } from "./ranking.js";

export interface NewMemoryInput {
  text: string;
  kind: MemoryKind;
  metadata?: MemoryMetadata;
  /** When it happened (an import keeps the original time, for recency); default now. */
  createdAt?: number;
  taskId?: string;
  success?: boolean | null;
  costUsd?: number | null;
}

export interface MemoryWarning {
  code: string;
  message: string;
  hint?: string;
}

export interface Recalled {
  id: string;
  kind: MemoryKind;
  text: string;
  score: number;
  signals: Signals;
  metadata: MemoryMetadata;
  taskId: string | null;
  success: boolean | null;
  createdAt: number;
}

export interface SearchResult {
  items: Recalled[];
  /** What was not used and why (e.g. the vector store is down: full-text only). */
  warnings: MemoryWarning[];
  /** Which signals ran: full text always; vectors when an embedder and its store answered. */
  mode: "hybrid" | "full-text";
}
