import { budgetReport, budgetWarnings, hasBudgets } from "../../budgets/index.js";
import type { Tier } from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import type { HobEvent, TaskSummary } from "../../events/index.js";
import { createOrchestrator } from "../../orchestrator/index.js";
import { canPrompt, terminalApprover } from "../approver.js";
import { openContext } from "../context.js";
import { explainContext, renderExplanation } from "../explain.js";
import { colorsFor, plural } from "../format.js";
import type { CliIO } from "../io.js";
import { createRenderer } from "../render.js";
import { safeLine } from "../safe.js";
import { continueSession, pickModel } from "../session.js";
import { pipedText, readAll, withPipedInput } from "../stdin.js";
import { reportTaskResult } from "../task-result.js";
import { resolveWorkspace } from "../workspace.js";

interface RunOptions {
  tier?: Tier;
  model?: string;
  agent?: string;
  workspace?: string;
  create?: boolean;
  cache: boolean;
  json: boolean;
  quiet?: boolean;
  continue?: boolean;
  verbose?: boolean;
  explain?: boolean;
}

async function readTaskFromStdin(io: CliIO): Promise<string> {
  if (io.stdin.isTTY) {
    throw new HobError("E_USAGE", "`hob run -` reads the task from stdin, but stdin is a terminal.", {
      hint: 'Pipe the task in (echo "…" | hob run -) or give it as an argument.',
    });
  }
  return readAll(io);
}

/**
 * `hob run <task…>`: one task, streamed; `--json` prints exactly one object. Text piped
 * in (`git diff | hob run "review this"`) goes with the task; `-` alone reads the task itself from stdin.
 */
export async function runCommand(io: CliIO, words: string[], options: RunOptions): Promise<number> {
  const json = options.json;
  const quiet = json || options.quiet === true;
  const tier = pickModel(options) as Tier | undefined;
  let input: string;
  if (words.length === 1 && words[0] === "-") input = await readTaskFromStdin(io);
  else {
    const task = words.join(" ");
    const piped = await pipedText(io);
    input = piped === undefined ? task : withPipedInput(task, piped);
  }
  const { config, store } = await openContext(io, { json: quiet });
  const controller = new AbortController();
  let interrupts = 0;
  const unsubscribe = io.onInterrupt(() => {
    interrupts++;
    // The first Ctrl-C cancels cleanly (the task is recorded as cancelled); a second one forces it.
    if (interrupts === 1) controller.abort();
    else process.exit(130);
  });
  const renderer = json ? undefined : createRenderer(io, { summary: true, quiet: options.quiet === true });
  let result: TaskSummary;
  let packed: Extract<HobEvent, { type: "context-packed" }> | undefined;
  try {
    const workspace = await resolveWorkspace(io, config, options);
    const session = options.continue ? continueSession(store) : undefined;
    if (session && !quiet) {
      io.stderr.write(
        colorsFor(io.stderr, io.env).dim(
          session.resumed
            ? `continuing session ${session.sessionId} (${plural(session.history.length / 2, "earlier turn")})\n`
            : `no earlier conversation; starting session ${session.sessionId}\n`,
        ),
      );
    }
    result = await createOrchestrator(config, store).run({
      input,
      tier,
      agent: options.agent,
      workspace,
      cache: options.cache,
      signal: controller.signal,
      ...(session ? { history: session.history, sessionId: session.sessionId } : {}),
      approver: renderer && canPrompt(io) ? terminalApprover(io, renderer.pause) : undefined,
      onEvent: (event) => {
        if (event.type === "context-packed") packed = event;
        renderer?.onEvent(event);
      },
    });
    if (options.explain) {
      const explained = explainContext(store, packed);
      if (json) result = { ...result, context: explained } as TaskSummary;
      else io.stderr.write(renderExplanation(io, explained));
    }
    if (!json && !quiet) {
      const c = colorsFor(io.stderr, io.env);
      for (const warning of result.memory_warnings ?? [])
        io.stderr.write(`${c.yellow("warning:")} ${safeLine(warning)}\n`);
      if (hasBudgets(config.config.budgets)) {
        for (const warning of budgetWarnings(budgetReport(store, config.config.budgets, Date.now(), result.id)))
          io.stderr.write(`${c.yellow("budget:")} ${warning}\n`);
      }
    }
  } finally {
    renderer?.close();
    unsubscribe();
    store.close();
  }
  return reportTaskResult(io, result, { json, verbose: options.verbose });
}
