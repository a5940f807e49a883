import { join } from "node:path";
import {
  IMPROVE_LOCK_FILE,
  type LockInfo,
  liveHolder,
  nextSlot,
  SERVE_LOCK_FILE,
  serveLogPath,
} from "../../improve/scheduler/index.js";
import type { ImproveRunRecord } from "../../store/index.js";
import { openContext } from "../context.js";
import { colorsFor, formatTime, formatUsd, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine } from "../safe.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface ImproveRunJson {
  id: string;
  trigger: ImproveRunRecord["trigger"];
  status: ImproveRunRecord["status"];
  started_at: string;
  finished_at: string | null;
  findings: number;
  proposals: number;
  cost_usd: number;
  error: string | null;
}

export function toImproveRunJson(run: ImproveRunRecord): ImproveRunJson {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    started_at: new Date(run.startedAt).toISOString(),
    finished_at: iso(run.finishedAt),
    findings: run.findings.length,
    proposals: run.proposals,
    cost_usd: run.costUsd,
    error: run.error,
  };
}

const holderJson = (holder: LockInfo | undefined) =>
  holder ? { running: true, pid: holder.pid, started_at: iso(holder.started_at) } : { running: false, pid: null };

/**
 * `hob improve status`: the last analyses, the next slot of the schedule (computed, nothing
 * is started), and whether `hob serve` (the serve lock) or an analysis (the improve lock) is live.
 */
export async function improveStatusCommand(io: CliIO, options: { json: boolean; limit?: number }): Promise<number> {
  const { config, store } = await openContext(io, options);
  try {
    const improve = config.config.improve;
    const home = config.paths.home;
    const zone = improve.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    // Validates the schedule too: a bad one is a config error, as `hob serve` would report it.
    const next = nextSlot(improve.schedule, improve.timezone);
    const nextRunAt = improve.enabled && next ? next.getTime() : null;
    const runs = store.improveRuns.list(options.limit ?? 10);
    const serve = liveHolder(join(home, SERVE_LOCK_FILE));
    const analysis = liveHolder(join(home, IMPROVE_LOCK_FILE));
    const last = runs[0];
    if (options.json) {
      writeJson(io, {
        enabled: improve.enabled,
        last_run: last ? toImproveRunJson(last) : null,
        next_run_at: iso(nextRunAt),
        schedule: improve.schedule,
        timezone: zone,
        serve: holderJson(serve),
        analysis: holderJson(analysis),
        log: serveLogPath(home),
        runs: runs.map(toImproveRunJson),
      });
      return 0;
    }
    const c = colorsFor(io.stdout, io.env);
    const lines: string[] = [];
    lines.push(
      `Self-improvement ${improve.enabled ? c.green("on") : c.yellow("off")} · schedule "${improve.schedule}" (${zone}) · ` +
        (nextRunAt !== null ? `next run ${formatTime(nextRunAt)} UTC` : "no run scheduled"),
    );
    lines.push(
      serve
        ? `hob serve: ${c.green("running")} (pid ${serve.pid}, since ${formatTime(serve.started_at)} UTC) · log ${serveLogPath(home)}`
        : `hob serve: ${c.dim("not running")} · start it with \`hob serve\`, or install it: \`hob serve --install\``,
    );
    if (analysis) {
      lines.push(
        `Analysis: ${c.cyan("running now")} (pid ${analysis.pid}, since ${formatTime(analysis.started_at)} UTC)`,
      );
    }
    lines.push("");
    if (runs.length === 0) lines.push("No analysis has run yet.");
    else {
      const rows = [["WHEN (UTC)", "TRIGGER", "STATUS", "FINDINGS", "PROPOSALS", "COST", "ID"].map((h) => c.dim(h))];
      for (const run of runs) {
        rows.push([
          formatTime(run.startedAt),
          run.trigger,
          run.status === "succeeded"
            ? c.green(run.status)
            : run.status === "failed"
              ? c.red(run.status)
              : run.status === "running"
                ? c.cyan(run.status)
                : c.yellow(run.status),
          String(run.findings.length),
          String(run.proposals),
          formatUsd(run.costUsd),
          run.id.slice(0, 8),
        ]);
      }
      lines.push(table(rows));
      if (last?.status === "failed" && last.error) lines.push("", `Last error: ${safeLine(last.error)}`);
    }
    io.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    store.close();
  }
}
