import { Worker } from "node:worker_threads";
import { HobError } from "../errors/index.js";

/**
 * Runs a model-chosen regular expression off the main thread, under a deadline.
 *
 * V8's regex engine backtracks, so `(a+)+$` against "aaaa…!" runs for ages inside one
 * synchronous call: on the main thread that freezes hob, Ctrl-C included, and there is
 * no way to interrupt it from JavaScript. A Worker can be terminated from outside. One
 * worker per search, started only when the first file needs matching.
 */

export interface LineMatch {
  line: number;
  text: string;
}

/** Per-line caps, as before the worker: long lines are matched and shown in part. */
const MATCH_CHARS = 2_000;
const SHOW_CHARS = 200;

// Plain CommonJS source run with `eval: true`: the same text works from src/ (tests)
// and dist/, with no .ts loader in the worker and no file lookup at runtime.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const regex = new RegExp(workerData.source, workerData.flags);
parentPort.on("message", ({ text, limit }) => {
  const found = [];
  const lines = text.split("\\n");
  for (let i = 0; i < lines.length && found.length < limit; i++) {
    if (regex.test(lines[i].slice(0, ${MATCH_CHARS}))) found.push({ line: i + 1, text: lines[i].slice(0, ${SHOW_CHARS}) });
  }
  parentPort.postMessage(found);
});
`;

/** A pattern with no regular-expression syntax: matched as text, in linear time, on the calling thread. */
const REGEX_SYNTAX = /[\\^$.|?*+()[\]{}]/;

export class RegexMatcher {
  private worker: Worker | undefined;
  /** Set for plain words (most searches): no worker is started, nothing can backtrack. */
  private readonly literal: string | undefined;
  /** Matching time used so far; the budget is for the whole search. */
  private spentMs = 0;
  private failed: HobError | undefined;

  constructor(
    private readonly source: string,
    private readonly flags: string,
    private readonly budgetMs: number,
    private readonly signal?: AbortSignal,
  ) {
    const caseless = flags.includes("i");
    if (!REGEX_SYNTAX.test(source)) this.literal = caseless ? source.toLowerCase() : source;
  }

  private matchLiteral(needle: string, text: string, limit: number): LineMatch[] {
    const caseless = this.flags.includes("i");
    const found: LineMatch[] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length && found.length < limit; i++) {
      const line = lines[i] as string;
      const head = line.slice(0, MATCH_CHARS);
      if ((caseless ? head.toLowerCase() : head).includes(needle))
        found.push({ line: i + 1, text: line.slice(0, SHOW_CHARS) });
    }
    return found;
  }

  /** The matching lines of `text` (at most `limit`); rejects E_TOOL past the deadline, E_CANCELLED on abort. */
  match(text: string, limit: number): Promise<LineMatch[]> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.signal?.aborted) return Promise.reject(this.fail(cancelled()));
    if (this.literal !== undefined) return Promise.resolve(this.matchLiteral(this.literal, text, limit));
    this.worker ??= new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { source: this.source, flags: this.flags },
      resourceLimits: { maxOldGenerationSizeMb: 128 },
    });
    const worker = this.worker;
    const started = performance.now();
    return new Promise<LineMatch[]>((resolve, reject) => {
      const settle = (error: HobError | undefined, found?: LineMatch[]) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        this.signal?.removeEventListener("abort", onAbort);
        this.spentMs += performance.now() - started;
        if (error) reject(this.fail(error));
        else resolve(found ?? []);
      };
      const onMessage = (found: LineMatch[]) => settle(undefined, found);
      const onError = (error: Error) =>
        settle(new HobError("E_TOOL", `The search pattern could not be run: ${error.message}.`));
      const onAbort = () => settle(cancelled());
      const timer = setTimeout(
        () =>
          settle(
            new HobError(
              "E_TOOL",
              `The search pattern took too long (over ${this.budgetMs} ms of matching), so the search was stopped.`,
              {
                hint: "Simplify the pattern: avoid nested repetition like (a+)+ or (a|a)*, or search for a plain word.",
              },
            ),
          ),
        Math.max(0, this.budgetMs - this.spentMs),
      );
      worker.on("message", onMessage);
      worker.on("error", onError);
      this.signal?.addEventListener("abort", onAbort, { once: true });
      worker.postMessage({ text, limit });
    });
  }

  /** Stops the worker; a stuck regex dies with it. Safe to call more than once. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private fail(error: HobError): HobError {
    this.failed = error;
    void this.close();
    return error;
  }
}

function cancelled(): HobError {
  return new HobError("E_CANCELLED", "The search was cancelled.");
}
