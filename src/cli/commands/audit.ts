import { toAuditEntryJson } from "../../shapes/index.js";
import { openContext } from "../context.js";
import { colorsFor, formatTime, oneLine, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine } from "../safe.js";

export async function auditCommand(
  io: CliIO,
  options: { json: boolean; limit: number; denied: boolean; task?: string },
): Promise<number> {
  const { store } = await openContext(io, options);
  try {
    // A full id or a unique prefix; an unknown or ambiguous one is an error, not an empty list.
    const taskId = options.task === undefined ? undefined : store.tasks.get(options.task).id;
    const entries = store.audit.list({ limit: options.limit, deniedOnly: options.denied, taskId });
    if (options.json) {
      writeJson(io, entries.map(toAuditEntryJson));
      return 0;
    }
    if (entries.length === 0) {
      io.stdout.write(taskId ? `No file accesses recorded for task ${taskId}.\n` : "No file accesses recorded yet.\n");
      return 0;
    }
    const c = colorsFor(io.stdout, io.env);
    const idLength = store.tasks.shortIdLength(entries.flatMap((e) => (e.taskId ? [e.taskId] : [])));
    io.stdout.write(
      `${table([
        ["WHEN (UTC)", "TASK", "OP", "ALLOWED", "PATH", "REASON"].map((h) => c.bold(h)),
        ...entries.map((e) => [
          formatTime(e.at),
          e.taskId?.slice(0, idLength) ?? "–",
          e.operation,
          e.allowed ? c.green("yes") : c.red("no"),
          safeLine(oneLine(e.path, 40)),
          safeLine(oneLine(e.reason ?? "", 70)),
        ]),
      ])}\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}
