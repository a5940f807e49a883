import type { MemoryMetadata, StepRecord, TaskRecord } from "../store/index.js";
import type { NewMemoryInput } from "./types.js";

const INPUT_CHARS = 600;
const ANSWER_CHARS = 400;
const WEB_TOOLS = new Set(["web_search", "fetch_url"]);

/**
 * What a finished task leaves in memory: the task in the user's words, how it went (status,
 * agent, tools and skills used, steps, cost) and the start of the answer, so a later similar
 * task is told what worked (or failed) before. Skills show as `run_skill` steps with their name.
 */
export function taskMemory(task: TaskRecord & { costUsd: number }, steps: StepRecord[]): NewMemoryInput | undefined {
  if (task.status !== "succeeded" && task.status !== "failed") return undefined;
  const tools = [...new Set(steps.map((s) => s.tool))];
  const skills = [
    ...new Set(
      steps
        .filter((s) => s.tool === "run_skill")
        .map((s) => (s.args as { name?: unknown } | null)?.name)
        .filter((name): name is string => typeof name === "string"),
    ),
  ];
  const outcome =
    task.status === "succeeded"
      ? `succeeded${steps.length > 0 ? ` in ${steps.length} tool step${steps.length === 1 ? "" : "s"}` : ""}`
      : `failed (${task.errorCode ?? "error"}${task.error ? `: ${clip(task.error, 160)}` : ""})`;
  const lines = [
    `Task: ${clip(task.input, INPUT_CHARS)}`,
    `Outcome: ${outcome}; agent ${task.agent}${tools.length > 0 ? `; tools ${tools.join(", ")}` : ""}${
      skills.length > 0 ? `; skills ${skills.join(", ")}` : ""
    }.`,
  ];
  // An answer built from fetched pages may carry their text (and whatever instructions a page
  // planted): for those tasks only the task and its outcome are remembered.
  const readTheWeb = tools.some((tool) => WEB_TOOLS.has(tool));
  if (task.status === "succeeded" && task.output && !readTheWeb)
    lines.push(`Answer: ${clip(task.output, ANSWER_CHARS)}`);
  const metadata: MemoryMetadata = { agent: task.agent, status: task.status };
  if (task.tier) metadata.tier = task.tier;
  if (tools.length > 0) metadata.tools = tools.join(",");
  if (skills.length > 0) metadata.skills = skills.join(",");
  return {
    text: lines.join("\n"),
    kind: "task",
    metadata,
    createdAt: task.createdAt,
    taskId: task.id,
    success: task.status === "succeeded",
    costUsd: task.costUsd,
  };
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
