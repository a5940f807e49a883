/**
 * The server's JSON shapes, as the page reads them: the types of the API's zod schemas in
 * src/web/schemas.ts (and of the shapes it re-exports from src/shapes). Type-only imports,
 * erased by esbuild: the page bundles neither zod nor the schemas.
 */
import type { z } from "zod";
import type {
  ApprovalItem,
  ChatSessionDetail as ChatSessionDetailSchema,
  ChatSessionList,
  ErrorShape,
  InvalidSkillJson,
  MemorySearchJson,
  MemoryWarningJson,
  ProposalDetailJson,
  ProposalJson,
  RecalledList,
  SeriesJson,
  SkillJson,
  StatsJson,
  TaskDetailJson,
  TaskJson,
  TaskListJson,
} from "../../src/web/schemas.js";

/** One of two shapes, with the other's fields readable as undefined (a skill row or a skill that did not load). */
type OneOf<A, B> =
  | (A & { [K in Exclude<keyof B, keyof A>]?: undefined })
  | (B & { [K in Exclude<keyof A, keyof B>]?: undefined });

export type ErrorJson = z.output<typeof ErrorShape>["error"];
export type Task = TaskJson;
export type TaskList = TaskListJson;
export type TaskDetail = TaskDetailJson;
export type Approval = z.output<typeof ApprovalItem>;
export type Proposal = ProposalJson;
export type ProposalDetail = ProposalDetailJson;
export type Skill = OneOf<SkillJson, InvalidSkillJson>;
export type Stats = z.output<typeof StatsJson>;
export type Series = z.output<typeof SeriesJson>;
export type ChatSession = z.output<typeof ChatSessionList>["items"][number];
export type ChatSessionDetail = z.output<typeof ChatSessionDetailSchema>;
export type MemoryWarning = z.output<typeof MemoryWarningJson>;
export type MemorySearch = z.output<typeof MemorySearchJson>;
export type MemoryItem = MemorySearch["items"][number];
export type RecalledItem = z.output<typeof RecalledList>["items"][number];
