import { readFileSync } from "node:fs";
import { type Document, isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { HobError } from "../errors/index.js";

/** Finds the line of a key (or of a value) in the source, as ":N", or "" when unknown. */
export type Locate = (path: ReadonlyArray<PropertyKey>, key?: string) => string;

export interface ParsedYaml {
  value: unknown;
  locate: Locate;
}

export const noLocation: Locate = () => "";

/** Reads a file, or undefined when it does not exist. */
export function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HobError("E_CONFIG", `Cannot read ${file}: ${(error as Error).message}.`, {
      hint: "Check the file's permissions, or remove it to use the defaults.",
      cause: error,
    });
  }
}

/** Parses YAML keeping positions, so errors can name the line of a key. */
export function parseYaml(text: string, file: string, options: { version?: "1.1" | "1.2" } = {}): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, ...options });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new HobError("E_CONFIG", `${file}:${line}:${col}: invalid YAML: ${first.message.split("\n")[0]}.`, {
      hint: `Edit ${file} at line ${line}: the YAML there does not parse.`,
    });
  }
  return { value: doc.toJS() ?? {}, locate: makeLocator(doc, lineCounter) };
}

function makeLocator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, key) => {
    let offset: number | undefined;
    if (key !== undefined) {
      const parent = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
        const keyNode = pair?.key;
        if (isScalar(keyNode)) offset = keyNode.range?.[0];
      }
    } else {
      const node = doc.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
      offset = node?.range?.[0];
    }
    if (offset === undefined) return "";
    return `:${lineCounter.linePos(offset).line}`;
  };
}

export const dotted = (path: ReadonlyArray<PropertyKey>) =>
  path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
