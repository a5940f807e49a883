import * as acorn from "acorn";
import * as walk from "acorn-walk";
import type { LiteralString, ScanResult } from "./findings.js";

const NET = new Set(["net", "http", "https", "http2", "dgram", "dns", "tls", "undici", "axios", "node-fetch", "ws"]);
const PROC = new Set(["child_process", "cluster", "worker_threads"]);
const SECRET_ENV = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/i;

type Node = acorn.Node & Record<string, unknown>;

/** Scans JavaScript on its syntax tree (acorn): modules, calls, environment reads, literals. */
export function scanJavaScript(code: string): ScanResult {
  const hits: ScanResult["hits"] = [];
  const strings: LiteralString[] = [];
  let ast: acorn.Node;
  const options = {
    ecmaVersion: "latest",
    locations: true,
    allowHashBang: true,
    allowAwaitOutsideFunction: true,
  } as const;
  try {
    ast = acorn.parse(code, { ...options, sourceType: "module" });
  } catch {
    try {
      ast = acorn.parse(code, { ...options, sourceType: "script" });
    } catch {
      return { hits, strings }; // the linter reports the syntax error
    }
  }
  const line = (node: acorn.Node) => node.loc?.start.line ?? 0;
  const moduleHit = (source: string, node: acorn.Node) => {
    const name = source.replace(/^node:/, "").split("/")[0] as string;
    if (NET.has(name)) hits.push({ rule: "network-library", line: line(node), detail: source });
    if (PROC.has(name) || /^@modelcontextprotocol\/sdk\/client\/stdio/.test(source))
      hits.push({ rule: "process-spawn", line: line(node), detail: source });
    if (name === "vm") hits.push({ rule: "dynamic-code", line: line(node), detail: source });
  };
  const decodes = (node: acorn.Node) => {
    let found = false;
    walk.full(node, (inner) => {
      const n = inner as Node;
      if (n.type !== "CallExpression") return;
      const callee = n.callee as Node;
      const text = code.slice(callee.start, callee.end);
      if (text === "atob" || text === "Buffer.from" || /decompress|unescape/.test(text)) found = true;
    });
    return found;
  };
  walk.full(ast, (raw) => {
    const node = raw as Node;
    if (node.type === "ImportDeclaration") moduleHit(String((node.source as Node).value), node);
    else if (node.type === "ImportExpression") {
      const source = node.source as Node;
      if (source.type === "Literal") moduleHit(String(source.value), node);
      else hits.push({ rule: "dynamic-import", line: line(node), detail: code.slice(source.start, source.end) });
    } else if (node.type === "CallExpression" || node.type === "NewExpression") {
      const callee = node.callee as Node;
      const name = callee.type === "Identifier" ? String(callee.name) : "";
      const args = node.arguments as Node[];
      if (name === "require" && args[0]?.type === "Literal") moduleHit(String(args[0].value), node);
      if (name === "eval" || name === "Function") {
        hits.push({ rule: decodes(node) ? "obfuscated-exec" : "dynamic-code", line: line(node), detail: name });
      }
      if (name === "fetch" || name === "WebSocket" || name === "XMLHttpRequest")
        hits.push({ rule: "network-library", line: line(node), detail: name });
    } else if (node.type === "MemberExpression") {
      const object = node.object as Node;
      if (code.slice(object.start, object.end) === "process.env") {
        const property = node.property as Node;
        const key = node.computed
          ? property.type === "Literal"
            ? String(property.value)
            : undefined
          : String(property.name);
        if (key && SECRET_ENV.test(key)) hits.push({ rule: "secret-env", line: line(node), detail: key });
      }
    } else if (node.type === "Literal" && typeof node.value === "string") {
      strings.push({ value: node.value, line: line(node) });
    } else if (node.type === "TemplateLiteral") {
      // In `${dir}/x` the "/x" follows a value: marked with "$" like a shell variable, it is no absolute path.
      (node.quasis as Node[]).forEach((quasi, i) => {
        const cooked = (quasi.value as { cooked?: string }).cooked;
        if (cooked) strings.push({ value: `${i > 0 ? "$" : ""}${cooked}`, line: line(quasi) });
      });
    }
  });
  return { hits, strings };
}
