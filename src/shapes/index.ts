/**
 * Shapes: the JSON shape of each record hob prints or serves (a task, a model call, a
 * tool step, a run result, an approval, an audit entry, a skill), defined once so that
 * `hob … --json` and a web API (`GET /api/tasks`) print the same bytes.
 *
 * A room of its own, not part of store/: store/ must depend on nothing of ours but
 * errors and stays free of presentation (ISO dates, generic error hints, snake_case),
 * and putting zod schemas there would make every store user load zod. This room
 * imports only errors at run time, plus types from store/ and events/ (the run result
 * is built from the orchestrator's `TaskSummary`); no room it imports imports it back.
 *
 * Each shape is a zod schema (schemas.ts) and a `to…Json(record)` function typed as the
 * schema's `z.infer`. The functions load no zod: `hob --help` and plain `--json`
 * printing stay fast. Whoever validates or describes output (tests, a web API, OpenAPI
 * generation) loads the schemas with `loadShapeSchemas()`.
 */

export { type ConfigJson, toConfigJson } from "./config.js";
export {
  type ApprovalJson,
  type AuditEntryJson,
  type InvalidSkillJson,
  listedSkills,
  type ModelCallJson,
  type ProposalDetailJson,
  type ProposalJson,
  type RunResultJson,
  type SkillJson,
  type SkillRunJson,
  type StepJson,
  type TaskDetailJson,
  type TaskJson,
  toApprovalJson,
  toAuditEntryJson,
  toInvalidSkillJson,
  toModelCallJson,
  toProposalDetailJson,
  toProposalJson,
  toRunResultJson,
  toSkillJson,
  toSkillListJson,
  toSkillRunJson,
  toStepJson,
  toTaskDetailJson,
  toTaskJson,
} from "./serialise.js";
export { parseSince } from "./since.js";

export type ShapeSchemas = typeof import("./schemas.js");

/** The zod schemas of every shape, loaded on demand (they pull in zod and the store). */
export function loadShapeSchemas(): Promise<ShapeSchemas> {
  return import("./schemas.js");
}
