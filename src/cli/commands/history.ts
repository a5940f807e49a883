import { toTaskJson } from "../../shapes/index.js";
import type { TaskStatus } from "../../store/index.js";
import { openContext } from "../context.js";
import { colorsFor, formatCost, formatTime, oneLine, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine } from "../safe.js";

interface HistoryOptions {
  limit: number;
  status?: TaskStatus;
  json: boolean;
}

export async function historyCommand(io: CliIO, options: HistoryOptions): Promise<number> {
  const { store } = await openContext(io, options);
  try {
    const tasks = store.tasks.list({ limit: options.limit, status: options.status });
    if (options.json) {
      writeJson(io, tasks.map(toTaskJson));
      return 0;
    }
    if (tasks.length === 0) {
      io.stdout.write('No tasks yet. Try: hob run "summarise what a monad is"\n');
      return 0;
    }
    const c = colorsFor(io.stdout, io.env);
    const paint = (status: TaskStatus) =>
      status === "succeeded"
        ? c.green(status)
        : status === "running"
          ? c.cyan(status)
          : status === "awaiting_approval"
            ? c.yellow(status)
            : c.red(status);
    // As many characters as keep each id a unique prefix (at least 8): what is shown can be typed back.
    const idLength = store.tasks.shortIdLength(tasks.map((t) => t.id));
    const rows = [
      ["ID", "WHEN (UTC)", "STATUS", "TIER", "COST", "TASK"].map((h) => c.bold(h)),
      ...tasks.map((t) => [
        t.id.slice(0, idLength),
        formatTime(t.createdAt),
        paint(t.status),
        t.tier ?? "–",
        formatCost(t.costUsd, t.costUnknown),
        safeLine(oneLine(t.input, 60)),
      ]),
    ];
    io.stdout.write(`${table(rows)}\n`);
    return 0;
  } finally {
    store.close();
  }
}
