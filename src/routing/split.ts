/**
 * Splits a task into the instruction and the material it is about ("tl;dr: <two pages>",
 * "fix this: <trace>", "<pasted email>\n\nwhat is the tone?"). Complexity is judged on the
 * instruction and on what kind of material came with it, never on how long the paste is.
 */

export const MATERIAL_KINDS = ["code", "trace", "sql", "data", "log", "listing", "prose"] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

export interface SplitTask {
  instruction: string;
  /** The pasted part, empty when the whole task is the instruction. */
  material: string;
  kinds: MaterialKind[];
}

const TRACE =
  /Traceback \(most recent call last\)|^\s*at [\w.$<>[\]]+ ?\(?[^\n]*:\d+(:\d+)?\)?\s*$|Exception in thread|panicked at|^\s*File "[^"]+", line \d+|^\s*\w+(\.\w+)*(Error|Exception): /m;
const SQL =
  /\b(select\s[\s\S]+?\sfrom\s|insert\s+into\s|update\s+\w+\s+set\s|create\s+(table|index)\s|delete\s+from\s|alter\s+table\s)/i;
const LOG = /^\s*\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|^\s*\[?(INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL)\]?[\s:]/m;
const LISTING = /^[dl-][rwxsStT-]{9}[.+@]?\s|^total \d+$/m;
const DATA = /^\s*[{[][\s\S]*"[^"\n]+"\s*:|^(\s*[\w-]+:\s.*\n){2,}/m;
/** A line that reads as code: ends in a brace or semicolon, starts with a keyword, or has an arrow. */
const CODE_LINE =
  /[{};]\s*$|^\s*(def|class|function|const|let|var|import|from|#include|public|private|fn|func|package|return|if|for|while|print|console\.log|SELECT|<\/?\w{1,40}[^>]{0,200}>)\b|=>|\)\s*\{|^\s{2,}\S/;

function lines(text: string): string[] {
  return text.split("\n");
}

function isCodeish(line: string): boolean {
  return CODE_LINE.test(line) || TRACE.test(line) || LOG.test(line) || LISTING.test(line);
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function materialKinds(material: string, fenced: boolean): MaterialKind[] {
  if (!material.trim()) return [];
  const kinds = new Set<MaterialKind>();
  if (TRACE.test(material)) kinds.add("trace");
  if (SQL.test(material)) kinds.add("sql");
  if (LOG.test(material)) kinds.add("log");
  if (LISTING.test(material)) kinds.add("listing");
  if (DATA.test(material)) kinds.add("data");
  const codeLines = lines(material).filter((line) => CODE_LINE.test(line)).length;
  if (fenced || codeLines >= 2 || /[{}();=]/.test(material)) kinds.add("code");
  if (kinds.size === 0) kinds.add("prose");
  return [...kinds];
}

/** A colon that ends an instruction, not one inside a URL, a time, a drive letter or "::". */
const INSTRUCTION_COLON = /(?<![a-z]{3,5}|\d|^[a-z]|:):(?!\/\/|\d|:)/i;

export function splitTask(text: string): SplitTask {
  const normalised = text.replace(/\r\n?/g, "\n").trim();
  const fencedBlocks: string[] = [];
  const unfenced = normalised.replace(/```[^\n]*\n?([\s\S]*?)(```|$)/g, (_, body: string) => {
    fencedBlocks.push(body);
    return "\n";
  });
  let instruction = unfenced.trim();
  let material = "";
  const all = lines(instruction).filter((line) => line.trim());
  if (all.length > 1) {
    const first = all[0] as string;
    const last = all[all.length - 1] as string;
    const paragraphs = instruction.split(/\n\s*\n/).filter((part) => part.trim());
    const lastParagraph = (paragraphs[paragraphs.length - 1] ?? "").trim();
    const shortLine = (line: string) => wordCount(line) <= 25 && !isCodeish(line);
    const codeishWithin = all.slice(1, -1).some(isCodeish) || isCodeish(all[1] as string);
    if (/:\s*$/.test(first) || (shortLine(first) && codeishWithin)) {
      // "Here is my code:\n<code>\nwhy does it crash?" — the question after the paste is instruction too.
      const trailing = all.length > 2 && shortLine(last) && all.slice(1, -1).some(isCodeish);
      instruction = trailing ? `${first}\n${last}` : first;
      material = all.slice(1, trailing ? -1 : undefined).join("\n");
    } else if (paragraphs.length > 1 && !lastParagraph.includes("\n") && shortLine(lastParagraph)) {
      instruction = lastParagraph;
      material = paragraphs.slice(0, -1).join("\n\n");
    } else if (shortLine(last) && all.slice(0, -1).some(isCodeish)) {
      instruction = last;
      material = all.slice(0, -1).join("\n");
    } else if (shortLine(first) && wordCount(all.slice(1).join(" ")) >= 2 * wordCount(first)) {
      instruction = first;
      material = all.slice(1).join("\n");
    } else if (shortLine(last) && wordCount(all.slice(0, -1).join(" ")) >= 3 * wordCount(last)) {
      instruction = last;
      material = all.slice(0, -1).join("\n");
    }
  } else {
    // One line: "instruction: material" when a short head introduces a longer tail.
    const colon = INSTRUCTION_COLON.exec(instruction);
    if (colon) {
      const head = instruction.slice(0, colon.index);
      const tail = instruction.slice(colon.index + 1);
      if (wordCount(head) <= 12 && wordCount(tail) >= 12) {
        instruction = head;
        material = tail.trim();
      }
    }
  }
  if (fencedBlocks.length > 0) material = [material, ...fencedBlocks].filter((part) => part.trim()).join("\n");
  if (!instruction.trim() && material) {
    // Only a paste, no words around it: the paste is all there is to judge.
    return { instruction: material, material: "", kinds: materialKinds(material, fencedBlocks.length > 0) };
  }
  return { instruction, material, kinds: materialKinds(material, fencedBlocks.length > 0) };
}
