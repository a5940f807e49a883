/**
 * The server's JSON shapes, as far as the page reads them (src/shapes and src/web/server.ts
 * are the source of truth; these are kept loose where the page only displays a field).
 */

export interface ErrorJson {
  code: string;
  message: string;
  hint?: string;
}

export interface Task {
  id: string;
  created_at: string;
  status: string;
  agent: string | null;
  tier: string | null;
  tier_reason: string | null;
  model: string | null;
  input: string;
  output: string | null;
  error: ErrorJson | null;
  duration_ms: number | null;
  session_id: string | null;
  calls: number;
  usage: { input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number };
  cost_usd: number | null;
}

export interface ModelCall {
  created_at: string;
  provider: string;
  model: string;
  tier: string | null;
  attempt: number;
  ok: boolean;
  error_code: string | null;
  purpose: string;
  local: boolean;
  cached: boolean;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  latency_ms: number | null;
}

export interface Step {
  step: number;
  tool: string;
  args: unknown;
  status: string;
  result: string | null;
  error_code: string | null;
}

export interface TaskDetail extends Task {
  model_calls: ModelCall[];
  steps: Step[];
}

export interface Approval {
  id: string;
  kind: "tool" | "proposal";
  tool: string;
  summary: string;
  diff: string | null;
  hash: string;
  reason: string;
  task_id: string | null;
  proposal_id?: string;
  intact: boolean;
  created_at: string;
  expires_at: string;
}

export interface Proposal {
  id: string;
  kind: string;
  title: string;
  status: string;
  files: string[];
  task_id: string | null;
  commit: string | null;
  revert_commit: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProposalDetail extends Proposal {
  diff: string;
  rationale: string;
  evidence: unknown;
  validation: Array<{ check: string; ok: boolean; detail: string }>;
}

export interface Skill {
  name: string;
  version: string | null;
  kind: string | null;
  status: string;
  description: string | null;
  usage_count?: number;
  successes?: number;
  failures?: number;
  success_rate?: number | null;
  mean_duration_ms?: number | null;
  last_error?: string | null;
  error?: string;
}

export interface Split {
  calls: number;
  input_tokens: number;
  output_tokens: number;
}

export interface Stats {
  since: string | null;
  tasks: { total: number; succeeded: number; failed: number; success_rate: number | null; awaiting_approval: number };
  totals: { calls: number; cost_usd: number; input_tokens: number; output_tokens: number };
  by_model: Array<{ provider: string; model: string; calls: number; cost_usd: number }>;
  by_tier: Array<{ tier: string; tasks: number; success_rate: number | null; cost_usd: number }>;
  routing: {
    local: Split;
    cloud: Split;
    cached: Split;
    local_call_share: number | null;
    cache_hits: number;
    saved_usd: number | null;
  };
}

export interface SeriesPoint {
  start: string;
  tasks: number;
  succeeded: number;
  failed: number;
  cost_usd: number;
  local_calls: number;
  cloud_calls: number;
  cached_calls: number;
}

export interface Series {
  bucket: "day" | "hour";
  items: SeriesPoint[];
}

export interface ChatSession {
  id: string;
  created_at: string;
  last_at: string | null;
  turns: number;
  title: string | null;
}

export interface ChatSessionDetail {
  id: string;
  turns: Array<{ task_id: string; input: string; output: string | null; created_at: string }>;
}

export interface Page<T> {
  items: T[];
  next?: string | null;
}

export interface MemoryWarning {
  code: string;
  message: string;
  hint?: string;
}

export interface MemorySignals {
  rrf: number;
  fts_rank: number | null;
  bm25: number | null;
  vector_rank: number | null;
  cosine: number | null;
  recency: number;
  outcome: number;
}

export interface MemoryItem {
  id: string;
  kind: string;
  text: string;
  score: number;
  signals: MemorySignals;
  metadata: Record<string, string | number | boolean>;
  task_id: string | null;
  success: boolean | null;
  created_at: string;
}

export interface MemorySearch {
  mode: "hybrid" | "full-text";
  warnings: MemoryWarning[];
  items: MemoryItem[];
}

export interface RecalledItem {
  id: string;
  section: string;
  kind: string | null;
  text: string | null;
  created_at: string | null;
}
