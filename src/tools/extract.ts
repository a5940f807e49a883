import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { HobError } from "../errors/index.js";

/** Pages larger than this are not given to Readability (its cost grows faster than the page). */
export const MAX_READABLE_CHARS = 1_000_000;
/** Deeper markup than this is not given to Readability: 400 nested divs already take over a second. */
export const MAX_READABLE_DEPTH = 256;
/** What the agent gets back at most. */
const MAX_TEXT = 20_000;

export interface ExtractOptions {
  /** How long Readability may run before its thread is terminated. */
  deadlineMs: number;
  maxDepth?: number;
  maxChars?: number;
}

/** Readable text: Readability over sane HTML (in a worker, with a deadline), plain text for anything else. */
export async function extract(
  body: string,
  type: string,
  url: string,
  options: ExtractOptions,
): Promise<{ title: string; text: string }> {
  if (!type.includes("html")) return { title: url, text: body.slice(0, MAX_TEXT) };
  const tooBig = body.length > (options.maxChars ?? MAX_READABLE_CHARS);
  const tooDeep =
    !tooBig && nestingDepth(body, options.maxDepth ?? MAX_READABLE_DEPTH) > (options.maxDepth ?? MAX_READABLE_DEPTH);
  // Cheap checks first: such pages are read as plain text, which is linear and bounded.
  if (tooBig || tooDeep) return plainText(body, url);
  const article = await readableInWorker(body, url, options.deadlineMs);
  return { title: article.title, text: tidy(article.text).slice(0, MAX_TEXT) };
}

const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);

/**
 * How deep the element nesting goes, by one linear scan of the tags (no parser):
 * stops counting once `stopAt` is passed. Unclosed tags count, as a parser would nest them.
 */
export function nestingDepth(html: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let i = html.indexOf("<");
  while (i >= 0) {
    const gt = html.indexOf(">", i);
    if (gt < 0) break; // an unterminated tag: no more elements
    const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(i, Math.min(gt, i + 40)));
    if (tag && !VOID.has((tag[2] as string).toLowerCase()) && html[gt - 1] !== "/") {
      if (tag[1] === "/") depth = Math.max(0, depth - 1);
      else if (++depth > max) {
        max = depth;
        if (max > stopAt) break;
      }
    }
    i = html.indexOf("<", gt);
  }
  return max;
}

/** Tags stripped and script/style dropped in one pass: linear in the page, whatever its shape. */
export function plainText(html: string, url: string): { title: string; text: string } {
  const lower = html.toLowerCase();
  const titleStart = lower.indexOf("<title");
  let title = url;
  if (titleStart >= 0) {
    const open = lower.indexOf(">", titleStart);
    const close = open >= 0 ? lower.indexOf("</title", open) : -1;
    if (close > open) title = decode(html.slice(open + 1, close)).trim() || url;
  }
  const out: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    const gt = html.indexOf(">", lt);
    if (gt < 0) break;
    const name = /^<\s*([a-zA-Z]+)/.exec(lower.slice(lt, Math.min(gt + 1, lt + 20)))?.[1];
    i = gt + 1;
    if (name === "script" || name === "style" || name === "title") {
      const end = lower.indexOf(`</${name}`, i);
      i = end < 0 ? html.length : lower.indexOf(">", end) + 1 || html.length;
    }
    out.push(" ");
  }
  return { title, text: tidy(decode(out.join(""))).slice(0, MAX_TEXT) };
}

function decode(text: string): string {
  return text
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function tidy(text: string): string {
  return text
    .replace(/[ \t]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
}

/**
 * The worker's code: linkedom and Readability over one page, the result posted back.
 * It is plain JavaScript run with `eval`, so it runs the same from dist/ and from the
 * TypeScript sources (tests); the modules are resolved here and handed over by path.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { Readability } = require(workerData.readability);
const { parseHTML } = require(workerData.linkedom);
// Loading the modules is hob's own cost, not the page's: the deadline starts from here.
parentPort.postMessage({ ready: true });
const { document } = parseHTML(workerData.html);
const article = new Readability(document).parse();
parentPort.postMessage({
  title: (article && article.title) || document.title || workerData.url,
  text: (article && article.textContent) || (document.body && document.body.textContent) || "",
});
`;

function startWorker(html: string, url: string): Worker {
  const require = createRequire(import.meta.url);
  return new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      html,
      url,
      readability: require.resolve("@mozilla/readability"),
      linkedom: require.resolve("linkedom"),
    },
  });
}

/** A bound on starting the worker and loading its modules (hob's cost, slow only on a loaded machine). */
const STARTUP_LIMIT_MS = 15_000;

/**
 * Readability in its own thread; terminated (not merely abandoned) when the deadline passes.
 * The deadline covers parsing the page, from the moment the worker has loaded its modules,
 * so a busy machine's slow worker start does not count against the page.
 */
function readableInWorker(html: string, url: string, deadlineMs: number): Promise<{ title: string; text: string }> {
  const worker = startWorker(html, url);
  return new Promise((resolve, reject) => {
    const stop = (error: HobError) => {
      void worker.terminate();
      reject(error);
    };
    let timer = setTimeout(
      () =>
        stop(new HobError("E_TOOL", `The page reader for ${url} did not start within ${STARTUP_LIMIT_MS / 1000} s.`)),
      STARTUP_LIMIT_MS,
    );
    const settle = () => {
      clearTimeout(timer);
      void worker.terminate();
    };
    worker.on("message", (message: { ready?: true; title: string; text: string }) => {
      if (message.ready) {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            stop(
              new HobError(
                "E_TOOL",
                `Reading ${url} took longer than ${(deadlineMs / 1000).toFixed(1)} s and was stopped.`,
                { hint: "The page's markup is too complex to extract; try another source." },
              ),
            ),
          deadlineMs,
        );
        return;
      }
      settle();
      resolve(message);
    });
    worker.once("error", (error) => {
      settle();
      reject(new HobError("E_TOOL", `Could not extract the text of ${url}: ${error.message}.`, { cause: error }));
    });
    worker.once("exit", (code) => {
      clearTimeout(timer);
      reject(new HobError("E_TOOL", `The page reader for ${url} stopped early (exit code ${code}).`));
    });
  });
}
