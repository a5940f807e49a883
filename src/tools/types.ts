import type { z } from "zod";
import type { DirectoryEntry, Intent, Resolved, SearchResult } from "../sandbox/index.js";
import type { FetchLimits, SearchProvider } from "./web.js";

/** Situations a tool's action may be in that can need a human, whatever the tool (the approval policy weighs them). */
export type Situation = "delete" | "overwrite" | "move_overwrite" | "new_domain" | "self_modification" | "mcp_tool";

/**
 * The files a tool may touch, and how: every path is relative to the task's workspace
 * and checked before use. `SandboxedFileSystem` is the implementation; anything given
 * here must refuse what it refuses (paths outside the workspace, hob's own state).
 */
export interface ToolFileSystem {
  /** The workspace's real path. */
  readonly root: string;
  /** Resolves and checks a path for an intent; throws E_SANDBOX when refused. */
  check(path: string, intent: Intent): Resolved;
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string | Uint8Array): Promise<{ created: boolean; bytes: number }>;
  listDirectory(path: string): Promise<DirectoryEntry[]>;
  searchFiles(pattern: string, path?: string, glob?: string, options?: { signal?: AbortSignal }): Promise<SearchResult>;
  moveFile(source: string, destination: string): Promise<void>;
  deleteFile(path: string): Promise<void>;
  /** What a path is now (for approval previews and their re-checks). */
  inspect(
    path: string,
    intent: Intent,
  ): Promise<{ resolved: Resolved; content?: string; size?: number; stamp?: string }>;
}

/** What a tool may use. Built per task; the file system is the only way to files. */
export interface ToolContext {
  fs: ToolFileSystem;
  /** Real paths of files this task created (overwriting those needs no approval). */
  created: Set<string>;
  /**
   * Real paths of files that existed before this task and that it moved away or deleted:
   * creating a file there again replaces the user's file, so it counts as an overwrite.
   * Optional so contexts built elsewhere keep working; file tools create it on first use.
   */
  vacated?: Set<string>;
  /** Workspace-relative paths this task wrote (the code agent lints them at the end). */
  written: Set<string>;
  /** URLs the task searched up or fetched (the research agent cites them). */
  sources: Set<string>;
  search?: SearchProvider;
  /** Skills the agent may find, run and propose (wired by the orchestrator). */
  skills?: SkillsAccess;
  fetchLimits: FetchLimits;
  domainApproved(domain: string): boolean;
  approveDomain(domain: string): void;
  signal?: AbortSignal;
}

/** What a human is shown before approving, and what the approval hash covers. */
export interface ActionPreview {
  tool: string;
  summary: string;
  /** Resolved (real) paths or URLs the action touches. */
  targets: string[];
  diff?: string;
}

export interface Assessment {
  preview: ActionPreview;
  situations: Situation[];
  /** The targets' current state: an approval is void if it changes before the action runs. */
  fingerprint: string;
  /**
   * Records a standing approval for this kind of action when the human answers "always"
   * (an MCP server's tool, as it is defined now); absent when only this one call can be approved.
   */
  remember?: () => void;
}

export interface Tool<Params = unknown> {
  name: string;
  description: string;
  params: z.ZodType<Params>;
  /** The JSON Schema the model is shown, when the tool brings its own (an MCP server's); default: from `params`. */
  inputSchema?: Record<string, unknown>;
  /** Read-only tools have no side effects: requests offering only them may be cached. */
  readOnly: boolean;
  assess(args: Params, ctx: ToolContext): Promise<Assessment>;
  execute(args: Params, ctx: ToolContext): Promise<string>;
}

export interface SkillSummary {
  name: string;
  description: string;
  kind: "script" | "instructions";
  inputs?: unknown;
}

export interface SkillProposal {
  name: string;
  description: string;
  language: "python" | "javascript" | "bash";
  code: string;
  inputs?: Record<string, unknown>;
  tests?: Array<{ name?: string; args?: string[]; input?: unknown; exit_code?: number; output?: string }>;
}

/** What tools may do with skills; implemented by the skills room, so tools do not depend on it. */
export interface SkillsAccess {
  find(query: string): SkillSummary[];
  run(name: string, args: unknown): Promise<string>;
  /** Validates a proposal without writing it: blocking problems, and the preview a human approves. */
  check(proposal: SkillProposal): Promise<{ blocking: string[]; preview: string; fingerprint: string }>;
  create(proposal: SkillProposal): Promise<string>;
  /** The current files of an installed skill (path → content), whatever its state; undefined when none. */
  current?(name: string): Record<string, string> | undefined;
}
