import type { MemoryRecord } from "../store/index.js";
import type { Recalled } from "./types.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** A recalled memory as `hob memory search --json` and `GET /api/memory/search` print it. */
export function toRecalledJson(item: Recalled) {
  return {
    id: item.id,
    kind: item.kind,
    text: item.text,
    score: item.score,
    signals: item.signals,
    metadata: item.metadata,
    task_id: item.taskId,
    success: item.success,
    created_at: iso(item.createdAt),
  };
}

/** A stored memory as `hob memory list --json` and `GET /api/memory` print it. */
export function toMemoryJson(m: MemoryRecord) {
  return {
    id: m.id,
    kind: m.kind,
    text: m.text,
    metadata: m.metadata,
    task_id: m.taskId,
    success: m.success,
    embedder: m.embedder,
    created_at: iso(m.createdAt),
  };
}
