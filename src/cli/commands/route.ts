import { createRouter, createRouting } from "../../orchestrator/index.js";
import { openContext } from "../context.js";
import { colorsFor } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

/** `hob route "<task>"`: the routing decision and why, without running the task. */
export async function routeCommand(io: CliIO, words: string[], options: { json: boolean }): Promise<number> {
  const input = words.join(" ").trim();
  const { config, store } = await openContext(io, options);
  try {
    const router = createRouter(config, store);
    // The routing cascade alone, as the orchestrator would route (Orchestrator.route is routing.decide).
    const decision = await createRouting(config, router).decide(input);
    // Which model_name of the router config the tier uses, and how hob chose it.
    const resolved = router.resolve(decision.tier);
    if (options.json) {
      writeJson(io, {
        agent: decision.agent,
        tier: decision.tier,
        model: resolved?.group ?? null,
        tier_source: resolved?.source ?? null,
        confidence: decision.confidence,
        classifier: decision.classifier,
        reason: decision.reason,
        complexity: decision.complexity,
      });
    } else {
      const c = colorsFor(io.stdout, io.env);
      const model = resolved && resolved.group !== decision.tier ? ` → ${resolved.group} (${resolved.source})` : "";
      io.stdout.write(
        `${c.bold(decision.agent)} agent · ${c.bold(decision.tier)} tier${model} · ${decision.complexity} · confidence ${decision.confidence}\n` +
          `${c.dim(`${decision.classifier}: ${decision.reason}`)}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}
