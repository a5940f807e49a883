import { createOrchestrator } from "../../orchestrator/index.js";
import { openContext } from "../context.js";
import { colorsFor } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

/** `hob route "<task>"`: the routing decision and why, without running the task. */
export async function routeCommand(io: CliIO, words: string[], options: { json: boolean }): Promise<number> {
  const input = words.join(" ").trim();
  const { config, store } = await openContext(io, options);
  try {
    const decision = await createOrchestrator(config, store).route(input);
    if (options.json) {
      writeJson(io, {
        agent: decision.agent,
        tier: decision.tier,
        confidence: decision.confidence,
        classifier: decision.classifier,
        reason: decision.reason,
        complexity: decision.complexity,
      });
    } else {
      const c = colorsFor(io.stdout, io.env);
      io.stdout.write(
        `${c.bold(decision.agent)} agent · ${c.bold(decision.tier)} tier · ${decision.complexity} · confidence ${decision.confidence}\n` +
          `${c.dim(`${decision.classifier}: ${decision.reason}`)}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}
