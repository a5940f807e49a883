import { createRequire } from "node:module";
import type { LiteralString, ScanResult } from "./findings.js";

const NET = new Set(["curl", "wget", "nc", "ncat", "netcat", "socat", "ssh", "scp", "sftp", "telnet", "ftp", "rsync"]);
const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh", "python", "python3", "perl", "node"]);
const SECRET_ENV = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/i;

interface TsNode {
  type: string;
  text: string;
  startPosition: { row: number };
  namedChildren: TsNode[];
  childForFieldName(name: string): TsNode | null;
  parent: TsNode | null;
}

let parser: { parse(text: string): { rootNode: TsNode } } | undefined;

async function bashParser() {
  if (!parser) {
    const { Parser, Language } = await import("web-tree-sitter");
    await Parser.init();
    const language = await Language.load(
      createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm"),
    );
    const instance = new Parser();
    instance.setLanguage(language);
    parser = instance as unknown as typeof parser;
  }
  return parser as NonNullable<typeof parser>;
}

/** Scans Bash on its syntax tree (tree-sitter-bash): commands, pipelines, expansions, redirects, words. */
export async function scanBash(code: string): Promise<ScanResult> {
  const tree = (await bashParser()).parse(code);
  const hits: ScanResult["hits"] = [];
  const strings: LiteralString[] = [];
  const functions = new Map<string, TsNode>();
  const commandName = (node: TsNode) => node.childForFieldName("name")?.text.replace(/^.*\//, "") ?? "";
  const visit = (node: TsNode) => {
    const line = node.startPosition.row + 1;
    switch (node.type) {
      case "command": {
        const name = commandName(node);
        const args = node.namedChildren.filter((c) => c.type !== "command_name").map((c) => c.text);
        if (NET.has(name)) hits.push({ rule: "network-command", line, detail: name });
        if (name === "eval" || name === "source" || name === ".")
          hits.push({ rule: "dynamic-code", line, detail: name });
        if (SHELLS.has(name) && args.includes("-c") && node.text.includes("$("))
          hits.push({ rule: "dynamic-code", line, detail: `${name} -c $(…)` });
        if (
          name === "rm" &&
          args.some((a) => /^-[a-zA-Z]*r/.test(a)) &&
          args.some((a) => /^(\/\*?|~\/?\*?|"?\$HOME"?\/?\*?)$/.test(a))
        ) {
          hits.push({ rule: "destructive", line, detail: node.text.slice(0, 80) });
        }
        if (/^mkfs/.test(name) || (name === "dd" && args.some((a) => a.startsWith("of=/dev/"))) || name === "shred") {
          hits.push({ rule: "destructive", line, detail: name });
        }
        if (functions.has(name)) {
          const body = functions.get(name) as TsNode;
          if (isInside(node, body) && /&/.test(body.text))
            hits.push({ rule: "destructive", line, detail: `${name} calls itself in the background (a fork bomb)` });
        }
        break;
      }
      case "pipeline": {
        const names = node.namedChildren.filter((c) => c.type === "command").map(commandName);
        const download = names.findIndex((n) => n === "curl" || n === "wget" || n === "base64");
        if (download >= 0 && names.slice(download + 1).some((n) => SHELLS.has(n))) {
          hits.push({
            rule: names[download] === "base64" ? "obfuscated-exec" : "pipe-to-shell",
            line,
            detail: node.text.slice(0, 80),
          });
        }
        break;
      }
      case "function_definition": {
        const name = node.childForFieldName("name")?.text;
        const body = node.childForFieldName("body");
        if (name && body) functions.set(name, body);
        break;
      }
      case "simple_expansion":
      case "expansion": {
        const variable = node.namedChildren.find((c) => c.type === "variable_name")?.text;
        if (variable && SECRET_ENV.test(variable)) hits.push({ rule: "secret-env", line, detail: variable });
        break;
      }
      case "file_redirect": {
        const target = node.childForFieldName("destination")?.text ?? node.text;
        if (/\/dev\/(tcp|udp)\//.test(target)) hits.push({ rule: "network-command", line, detail: target });
        break;
      }
      case "string":
      case "concatenation":
        // A word is checked whole: in "$TEMP_DIR/x" the "/x" follows a variable and is no absolute path.
        if (!isPart(node)) strings.push({ value: unquote(node.text), line });
        break;
      case "word":
      case "raw_string":
      case "string_content":
        if (!isPart(node)) strings.push({ value: node.text.replace(/^'|'$/g, ""), line });
        break;
    }
    for (const child of node.namedChildren) visit(child);
  };
  visit(tree.rootNode);
  return { hits, strings };
}

/** Inside a double-quoted string or a concatenation, which is checked as one word. */
function isPart(node: TsNode): boolean {
  return node.parent?.type === "string" || node.parent?.type === "concatenation";
}

/** A word's text without the shell's quotes (variables stay as they are written). */
function unquote(text: string): string {
  return text.replace(/'([^']*)'|"((?:[^"\\]|\\.)*)"/g, (_, single, double) => single ?? double ?? "");
}

function isInside(node: TsNode, ancestor: TsNode): boolean {
  for (let current: TsNode | null = node.parent; current; current = current.parent) {
    if (current.startPosition.row === ancestor.startPosition.row && current.text === ancestor.text) return true;
  }
  return false;
}
