import { estimateTokens } from "./estimate.js";
import type { ContextPiece, ContextQuery, ContextSource } from "./types.js";

/**
 * What every ContextSource promises, checked against one query: a name, section and heading;
 * a list of pieces in its own section, each with a unique id, text, a finite score and a
 * token count no lower than estimateTokens(text); and the same pieces when asked the same
 * thing twice. Returns the broken promises (none: an empty list). Tests run it on every
 * source; a new source should pass it before it is wired in.
 */
export async function checkContextSource(source: ContextSource, query: ContextQuery): Promise<string[]> {
  const problems: string[] = [];
  if (!source.name) problems.push("the source has no name");
  if (!source.section) problems.push("the source has no section");
  if (!source.heading) problems.push("the source has no heading");
  let first: ContextPiece[];
  let second: ContextPiece[];
  try {
    first = await source.gather(query);
    second = await source.gather(query);
  } catch (error) {
    return [...problems, `gather threw: ${error instanceof Error ? error.message : String(error)}`];
  }
  if (!Array.isArray(first)) return [...problems, "gather did not return a list"];
  const ids = new Set<string>();
  for (const piece of first) {
    const name = `piece ${JSON.stringify(piece.id)}`;
    if (!piece.id) problems.push("a piece has no id");
    else if (ids.has(piece.id)) problems.push(`${name} is not the only one with its id`);
    ids.add(piece.id);
    if (piece.source !== source.name) problems.push(`${name} names the source ${piece.source}, not ${source.name}`);
    if (piece.section !== source.section) problems.push(`${name} is in ${piece.section}, not ${source.section}`);
    if (!piece.text) problems.push(`${name} has no text`);
    if (!Number.isFinite(piece.score)) problems.push(`${name} has no finite score`);
    if (!Number.isFinite(piece.tokens) || piece.tokens < estimateTokens(piece.text ?? ""))
      problems.push(
        `${name} counts ${piece.tokens} tokens, below estimateTokens (${estimateTokens(piece.text ?? "")})`,
      );
  }
  if (JSON.stringify(first) !== JSON.stringify(second)) problems.push("the same query gave different pieces");
  return problems;
}
