import { createRouter, createRouting } from "../../orchestrator/index.js";
import {
  describeFeature,
  type Explanation,
  type FeatureContribution,
  type RouteDecision,
} from "../../routing/index.js";
import { openContext } from "../context.js";
import { colorsFor } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

/** `hob route "<task>"`: the routing decision and why, without running the task. */
export async function routeCommand(
  io: CliIO,
  words: string[],
  options: { json: boolean; explain?: boolean },
): Promise<number> {
  const input = words.join(" ").trim();
  const { config, store } = await openContext(io, options);
  try {
    const router = createRouter(config, store);
    // The routing cascade alone, as the orchestrator would route (Orchestrator.route is routing.decide).
    const routing = createRouting(config, router);
    const decision = await routing.decide(input);
    const explanation = options.explain ? routing.explain(input) : undefined;
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
        evidence: decision.evidence ?? null,
        ...(explanation ? { explain: explanation } : {}),
      });
    } else {
      const c = colorsFor(io.stdout, io.env);
      const model = resolved && resolved.group !== decision.tier ? ` → ${resolved.group} (${resolved.source})` : "";
      io.stdout.write(
        `${c.bold(decision.agent)} agent · ${c.bold(decision.tier)} tier${model} · ${decision.complexity} · confidence ${decision.confidence}\n` +
          `${c.dim(`${decision.classifier}: ${decision.reason}`)}\n`,
      );
      if (explanation) io.stdout.write(`${explainLines(decision, explanation).join("\n")}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}

const signed = (list: FeatureContribution[]) =>
  list.map((f) => `${describeFeature(f.feature.split("|")[0] as string)} +${f.weight.toFixed(2)}`).join(", ") || "—";

/** What `--explain` adds: the evidence, and the features that pushed each half of the verdict. */
function explainLines(decision: RouteDecision, explanation: Explanation): string[] {
  const lines: string[] = [];
  const evidence = decision.evidence;
  if (evidence) {
    const language = evidence.language ? `; language ${evidence.language}` : "";
    lines.push(`  knew ${evidence.known} of ${evidence.words} words (${Math.round(evidence.share * 100)}%)${language}`);
  }
  lines.push(`  agent pushed by:       ${signed(explanation.agent)}`);
  lines.push(`  complexity pushed by:  ${signed(explanation.complexity)}`);
  return lines;
}
