import { createInterface } from "node:readline";
import type { Tier } from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import type { Message } from "../../models/index.js";
import { createOrchestrator } from "../../orchestrator/index.js";
import { canPrompt, terminalApprover } from "../approver.js";
import { openContext } from "../context.js";
import { colorsFor, formatInt, formatUsd, plural } from "../format.js";
import type { CliIO } from "../io.js";
import { reportError } from "../output.js";
import { createRenderer, summaryLine } from "../render.js";
import { continueSession, pickModel } from "../session.js";

interface ChatOptions {
  tier?: Tier;
  model?: string;
  quiet?: boolean;
  continue?: boolean;
  verbose?: boolean;
}

const HELP = "Commands: /exit (or Ctrl-D) quits, /stats shows this session's usage, /clear forgets the context.";

/**
 * `hob chat`: each line is a task that sees the earlier turns. Ctrl-C cancels the
 * answer being written, not the session; at an empty prompt it quits.
 */
export async function chatCommand(io: CliIO, options: ChatOptions): Promise<number> {
  const tier = pickModel(options) as Tier | undefined;
  const quiet = options.quiet === true;
  const { config, store } = await openContext(io, { json: quiet });
  const orchestrator = createOrchestrator(config, store);
  const c = colorsFor(io.stderr, io.env);
  // --continue picks up the last conversation with its context; /clear starts a new session.
  const continued = options.continue ? continueSession(store) : undefined;
  let sessionId = continued?.sessionId ?? store.createSession("chat");
  const history: Message[] = [...(continued?.history ?? [])];
  const session = { turns: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const interactive = Boolean(io.stdin.isTTY);
  const rl = createInterface({
    input: io.stdin,
    output: interactive ? (io.stdout as NodeJS.WritableStream) : undefined,
    terminal: interactive,
  });
  let running: AbortController | undefined;

  const onInterrupt = () => {
    if (running) {
      running.abort();
      return;
    }
    io.stderr.write("\n");
    rl.close();
  };
  const unsubscribe = io.onInterrupt(onInterrupt);
  rl.on("SIGINT", onInterrupt);

  if (!quiet) {
    const resumed = continued?.resumed
      ? ` (continued: ${plural(history.length / 2, "earlier turn")} in context)`
      : continued
        ? " (no earlier conversation to continue)"
        : "";
    io.stderr.write(c.dim(`hob chat · session ${sessionId}${resumed} · ${HELP}\n`));
  }
  const prompt = () => {
    if (interactive) {
      rl.setPrompt(c.cyan("you › "));
      rl.prompt();
    }
  };
  prompt();
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === "") {
        prompt();
        continue;
      }
      if (line === "/exit" || line === "/quit") break;
      if (line === "/help") io.stderr.write(`${HELP}\n`);
      else if (line === "/clear") {
        history.length = 0;
        // A session is one context: what follows starts a new one, so `--continue` never revives the cleared turns.
        sessionId = store.createSession("chat");
        io.stderr.write(c.dim(`Context cleared; new session ${sessionId}.\n`));
      } else if (line === "/stats") {
        io.stderr.write(
          `This session: ${plural(session.turns, "turn")} · ${formatInt(session.inputTokens)} in / ` +
            `${formatInt(session.outputTokens)} out tokens · ${formatUsd(session.costUsd)}\n`,
        );
      } else if (line.startsWith("/")) {
        io.stderr.write(c.yellow(`Unknown command ${line}. ${HELP}\n`));
      } else {
        running = new AbortController();
        const renderer = createRenderer(io, { summary: false, quiet });
        const result = await orchestrator.run({
          input: line,
          tier,
          history,
          sessionId,
          signal: running.signal,
          approver: canPrompt(io) ? terminalApprover(io, renderer.pause) : undefined,
          onEvent: renderer.onEvent,
        });
        renderer.close();
        running = undefined;
        session.turns++;
        session.inputTokens += result.usage.input_tokens;
        session.outputTokens += result.usage.output_tokens;
        session.costUsd += result.cost_usd;
        if (result.status === "succeeded") {
          history.push({ role: "user", content: line }, { role: "assistant", content: result.output });
          if (!quiet) io.stderr.write(`${summaryLine(c, result)}\n`);
        } else if (result.status === "awaiting_approval") {
          io.stderr.write(c.yellow("(this turn waits for approval; the conversation goes on)\n"));
        } else if (result.status === "cancelled") {
          io.stderr.write(c.yellow("(cancelled; the conversation goes on)\n"));
        } else if (result.error) {
          reportError(io, HobError.fromJSON(result.error), {
            json: false,
            verbose: Boolean(options.verbose),
          });
        }
      }
      prompt();
    }
  } finally {
    unsubscribe();
    rl.close();
    store.close();
  }
  return 0;
}
