import type { Tier } from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import type { TaskSummary } from "../../events/index.js";
import { createOrchestrator } from "../../orchestrator/index.js";
import { canPrompt, terminalApprover } from "../approver.js";
import { openContext } from "../context.js";
import type { CliIO } from "../io.js";
import { createRenderer } from "../render.js";
import { reportTaskResult } from "../task-result.js";

interface RunOptions {
  tier?: Tier;
  agent?: string;
  workspace?: string;
  cache: boolean;
  json: boolean;
  verbose?: boolean;
}

async function readStdin(io: CliIO): Promise<string> {
  if (io.stdin.isTTY) {
    throw new HobError("E_USAGE", "`hob run -` reads the task from stdin, but stdin is a terminal.", {
      hint: 'Pipe the task in (echo "…" | hob run -) or give it as an argument.',
    });
  }
  let text = "";
  for await (const chunk of io.stdin) text += chunk.toString();
  return text;
}

/** `hob run <task…>`: one task, streamed; `--json` prints exactly one object. */
export async function runCommand(io: CliIO, words: string[], options: RunOptions): Promise<number> {
  const json = options.json;
  const input = words.length === 1 && words[0] === "-" ? await readStdin(io) : words.join(" ");
  const { config, store } = await openContext(io, { json });
  const controller = new AbortController();
  let interrupts = 0;
  const unsubscribe = io.onInterrupt(() => {
    interrupts++;
    // The first Ctrl-C cancels cleanly (the task is recorded as cancelled); a second one forces it.
    if (interrupts === 1) controller.abort();
    else process.exit(130);
  });
  const renderer = json ? undefined : createRenderer(io, { summary: true });
  let result: TaskSummary;
  try {
    result = await createOrchestrator(config, store).run({
      input,
      tier: options.tier,
      agent: options.agent,
      workspace: options.workspace,
      cache: options.cache,
      signal: controller.signal,
      approver: renderer && canPrompt(io) ? terminalApprover(io, renderer.pause) : undefined,
      onEvent: renderer?.onEvent,
    });
  } finally {
    renderer?.close();
    unsubscribe();
    store.close();
  }
  return reportTaskResult(io, result, { json, verbose: options.verbose });
}
