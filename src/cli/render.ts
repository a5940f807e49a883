import type { HobEvent, TaskSummary } from "../events/index.js";
import { type Colors, colorsFor, fitWidth, formatCost, formatDuration, formatInt } from "./format.js";
import type { CliIO } from "./io.js";
import { safeLine, safeText } from "./safe.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A spinner on stderr while we wait for the first token; nothing when stderr is not a
 * terminal. It never takes more than one line: the label is cut to the terminal's
 * width at every frame (wide characters count two columns), so `\r` can redraw it.
 */
class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;

  constructor(
    private readonly io: CliIO,
    private readonly enabled: boolean,
    private readonly paint: (text: string) => string,
  ) {}

  start(label: string): void {
    if (!this.enabled) return;
    this.stop();
    const draw = () => {
      // Two columns for the frame and its space; one spare so the cursor never wraps in the last column.
      const width = (this.io.stderr.columns || 80) - 3;
      const text = fitWidth(label, width);
      this.io.stderr.write(`\r\u001b[K${FRAMES[this.frame++ % FRAMES.length]}${text ? ` ${this.paint(text)}` : ""}`);
    };
    draw();
    this.timer = setInterval(draw, 80);
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.io.stderr.write("\r\u001b[K");
  }
}

/** Fallback notices are said once per process (a chat session), not on every turn. */
const announcedFallbacks = new Set<string>();

export interface Renderer {
  onEvent(event: HobEvent): void;
  /** Stops the spinner and ends the streamed text with a newline. */
  close(): void;
  /** Stops the spinner so a prompt can use the line. */
  pause(): void;
}

/**
 * Human rendering of a task: answer text on stdout (so `hob run … > file` keeps only
 * the answer), progress and the closing summary on stderr.
 */
export function createRenderer(io: CliIO, options: { summary: boolean; quiet?: boolean }): Renderer {
  const c = colorsFor(io.stderr, io.env);
  // --quiet: the answer on stdout and errors on stderr, nothing else (no spinner, notes or summary).
  const quiet = options.quiet === true;
  const spinner = new Spinner(io, Boolean(io.stderr.isTTY) && !quiet, c.dim);
  const stderr = { write: (text: string) => (quiet ? undefined : io.stderr.write(text)) };
  let endsWithNewline = true;
  let label = "";
  const endText = () => {
    if (!endsWithNewline) io.stdout.write("\n");
    endsWithNewline = true;
  };
  return {
    onEvent(event) {
      switch (event.type) {
        case "task-started":
          label = `${event.tier} · ${event.model}`;
          spinner.start(`${label} (${safeLine(event.reason)})`);
          break;
        case "text-delta":
          spinner.stop();
          io.stdout.write(safeText(event.text));
          endsWithNewline = event.text.endsWith("\n");
          break;
        case "model-retry":
          spinner.stop();
          endText();
          stderr.write(
            c.yellow(`${safeLine(event.error.message)} Retrying in ${formatDuration(Math.round(event.delay_ms))}…\n`),
          );
          spinner.start(`${label} (retry ${event.attempt})`);
          break;
        case "task-finished":
          spinner.stop();
          endText();
          if (options.summary) stderr.write(`${summaryLine(c, event.result)}\n`);
          break;
        case "task-failed":
          spinner.stop();
          endText();
          break;
        case "model-fallback": {
          const key = `${event.from}>${event.to}>${event.error.code}`;
          if (announcedFallbacks.has(key)) break;
          announcedFallbacks.add(key);
          spinner.stop();
          endText();
          stderr.write(c.yellow(`note: ${safeLine(event.error.message)} Using ${event.to} instead.\n`));
          label = event.to;
          spinner.start(label);
          break;
        }
        case "task-escalated":
          spinner.stop();
          endText();
          stderr.write(
            c.yellow(`↻ ${event.from}'s answer looked unreliable (${safeLine(event.reason)}); asking ${event.to}…\n`),
          );
          label = event.to;
          spinner.start(label);
          break;
        case "tool-call": {
          if (event.state === "executing") {
            spinner.stop();
            endText();
            stderr.write(c.dim(`→ ${safeLine(event.tool)} ${safeLine(argsLine(event.args))}\n`));
            spinner.start(`${label} (step ${event.step})`);
          } else if (event.state === "error" || event.state === "denied") {
            spinner.stop();
            stderr.write(
              c.yellow(
                `  ✗ ${safeLine(event.tool)}: ${safeLine((event.summary ?? "").replace(/^Error( \[\w+\])?: /, ""))}\n`,
              ),
            );
            spinner.start(label);
          }
          break;
        }
        case "approval-requested":
          // A terminal prompt shows the request itself; this is for a task that will pause.
          if (event.interactive) break;
          spinner.stop();
          endText();
          io.stderr.write(
            c.yellow(
              `⏸ waiting for approval ${event.approval_id}: ${safeLine(event.summary)} (${safeLine(event.reason)})\n`,
            ) +
              c.dim(
                `  hob approvals show ${event.approval_id} · hob approvals approve ${event.approval_id} · hob approvals deny ${event.approval_id}\n`,
              ),
          );
          break;
        case "task-paused":
          spinner.stop();
          endText();
          break;
        case "model-call":
          break;
      }
    },
    close() {
      spinner.stop();
      endText();
    },
    pause() {
      spinner.stop();
      endText();
    },
  };
}

/** A tool call's arguments on one short line (paths and queries, not whole file contents). */
function argsLine(args: unknown): string {
  if (typeof args !== "object" || args === null) return "";
  return Object.entries(args as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === "string" && value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}…` : JSON.stringify(value)}`,
    )
    .join(" ");
}

export function summaryLine(c: Colors, result: TaskSummary): string {
  return c.dim(
    `${c.green("✓")} ${result.tier} · ${result.model}${result.cached ? " (cached)" : ""}` +
      `${result.escalated_from ? ` (escalated from ${result.escalated_from})` : ""} · ${formatInt(result.usage.input_tokens)} in / ` +
      `${formatInt(result.usage.output_tokens)} out · ${formatCost(result.cost_usd, result.cost_unknown)} · ` +
      `${formatDuration(result.duration_ms)} · ${result.id}`,
  );
}
