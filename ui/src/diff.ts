/**
 * A unified diff (as tools and proposals show it) parsed and drawn side by side: old on
 * the left, new on the right, with line numbers and added/removed colouring; on a narrow
 * screen one unified column instead (CSS picks the view; both are text only). Each line
 * also keeps its -/+ marker, so the meaning does not rest on colour alone.
 */
import { h } from "./dom.js";

export interface DiffLine {
  kind: "context" | "add" | "del" | "hunk" | "meta";
  old?: number;
  new?: number;
  text: string;
}

export interface DiffFile {
  name: string;
  lines: DiffLine[];
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

function stripPrefix(name: string): string {
  return name.replace(/^[ab]\//, "").replace(/\t.*$/, "");
}

export function parseUnifiedDiff(diff: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let oldNo = 0;
  let newNo = 0;
  let oldLeft = 0;
  let newLeft = 0;
  const ensure = () => {
    if (!file) {
      file = { name: "", lines: [] };
      files.push(file);
    }
    return file;
  };
  const lines = diff.replace(/\r\n/g, "\n").split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    const inHunk = oldLeft > 0 || newLeft > 0;
    if (inHunk && (line.startsWith(" ") || line === "")) {
      ensure().lines.push({ kind: "context", old: oldNo++, new: newNo++, text: line.slice(1) });
      oldLeft--;
      newLeft--;
      continue;
    }
    if (inHunk && line.startsWith("-")) {
      ensure().lines.push({ kind: "del", old: oldNo++, text: line.slice(1) });
      oldLeft--;
      continue;
    }
    if (inHunk && line.startsWith("+")) {
      ensure().lines.push({ kind: "add", new: newNo++, text: line.slice(1) });
      newLeft--;
      continue;
    }
    if (line.startsWith("\\")) {
      ensure().lines.push({ kind: "meta", text: line });
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk) {
      oldNo = Number(hunk[1]);
      oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      newNo = Number(hunk[3]);
      newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
      ensure().lines.push({ kind: "hunk", text: line });
      continue;
    }
    if (line.startsWith("diff --git ") || (line.startsWith("--- ") && file?.lines.some((l) => l.kind === "hunk"))) {
      file = { name: "", lines: [] };
      files.push(file);
    }
    if (line.startsWith("--- ")) {
      const current = ensure();
      const name = stripPrefix(line.slice(4));
      if (name !== "/dev/null") current.name = name;
      continue;
    }
    if (line.startsWith("+++ ")) {
      const name = stripPrefix(line.slice(4));
      if (name !== "/dev/null") ensure().name = name;
      continue;
    }
    // `Index:` and its ==== rule (the diff package's header) say nothing the file name does not.
    if (line.startsWith("Index: ") || /^={8,}$/.test(line)) continue;
    ensure().lines.push({ kind: "meta", text: line });
  }
  return files;
}

interface Row {
  left?: DiffLine;
  right?: DiffLine;
  full?: DiffLine;
}

/** Pairs each run of removed lines with the run of added lines after it. */
export function sideBySideRows(lines: DiffLine[]): Row[] {
  const rows: Row[] = [];
  let dels: DiffLine[] = [];
  let adds: DiffLine[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(dels.length, adds.length); i++) {
      const row: Row = {};
      if (dels[i]) row.left = dels[i];
      if (adds[i]) row.right = adds[i];
      rows.push(row);
    }
    dels = [];
    adds = [];
  };
  for (const line of lines) {
    if (line.kind === "del") {
      if (adds.length > 0) flush();
      dels.push(line);
    } else if (line.kind === "add") adds.push(line);
    else {
      flush();
      rows.push(line.kind === "context" ? { left: line, right: line } : { full: line });
    }
  }
  flush();
  return rows;
}

const LINE_CLASS: Record<DiffLine["kind"], string> = {
  add: "bg-emerald-50 text-emerald-950 dark:bg-emerald-950 dark:text-emerald-100",
  del: "bg-rose-50 text-rose-950 dark:bg-rose-950 dark:text-rose-100",
  context: "",
  hunk: "bg-sky-50 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  meta: "text-slate-500 dark:text-slate-400",
};
const MARK: Record<DiffLine["kind"], string> = { add: "+", del: "-", context: " ", hunk: "", meta: "" };
const NUM = "w-10 select-none px-1 text-right align-top text-slate-400 dark:text-slate-500";
const CODE = "whitespace-pre-wrap break-all px-2 align-top";

function halfCells(line: DiffLine | undefined, side: "old" | "new"): HTMLElement[] {
  if (!line)
    return [
      h("td", { class: `${NUM} bg-slate-50 dark:bg-slate-900` }),
      h("td", { class: "bg-slate-50 dark:bg-slate-900" }),
    ];
  const number = side === "old" ? line.old : line.new;
  return [
    h("td", { class: `${NUM} ${LINE_CLASS[line.kind]}` }, number ?? ""),
    h(
      "td",
      { class: `${CODE} ${LINE_CLASS[line.kind]}`, attrs: { "data-kind": line.kind } },
      MARK[line.kind],
      line.text,
    ),
  ];
}

function sideBySide(file: DiffFile): HTMLElement {
  return h(
    "table",
    {
      class: "hidden w-full table-fixed border-collapse font-mono text-xs sm:table",
      attrs: { "data-testid": "diff-side-by-side" },
    },
    h("colgroup", null, h("col", { class: "w-10" }), h("col", null), h("col", { class: "w-10" }), h("col", null)),
    h(
      "thead",
      { class: "sr-only sm:not-sr-only" },
      h(
        "tr",
        { class: "text-left text-slate-500" },
        h("th", { class: "px-1 font-normal", attrs: { scope: "col" } }, "#"),
        h("th", { class: "px-2 font-normal", attrs: { scope: "col" } }, "Before"),
        h("th", { class: "px-1 font-normal", attrs: { scope: "col" } }, "#"),
        h("th", { class: "px-2 font-normal", attrs: { scope: "col" } }, "After"),
      ),
    ),
    h(
      "tbody",
      null,
      ...sideBySideRows(file.lines).map((row) =>
        row.full
          ? h(
              "tr",
              null,
              h("td", { class: `${CODE} ${LINE_CLASS[row.full.kind]}`, attrs: { colspan: 4 } }, row.full.text),
            )
          : h("tr", null, ...halfCells(row.left, "old"), ...halfCells(row.right, "new")),
      ),
    ),
  );
}

function unified(file: DiffFile): HTMLElement {
  return h(
    "table",
    {
      class: "w-full table-fixed border-collapse font-mono text-xs sm:hidden",
      attrs: { "data-testid": "diff-unified" },
    },
    h("colgroup", null, h("col", { class: "w-9" }), h("col", { class: "w-9" }), h("col", null)),
    h(
      "tbody",
      null,
      ...file.lines.map((line) =>
        h(
          "tr",
          { class: LINE_CLASS[line.kind] },
          h("td", { class: NUM }, line.old ?? ""),
          h("td", { class: NUM }, line.new ?? ""),
          h("td", { class: CODE }, MARK[line.kind], line.text),
        ),
      ),
    ),
  );
}

/** The whole diff view: one block per file, each with its name. */
export function diffView(diff: string): HTMLElement {
  const files = parseUnifiedDiff(diff);
  return h(
    "div",
    { class: "flex flex-col gap-3", attrs: { "data-testid": "diff" } },
    ...files.map((file) =>
      h(
        "figure",
        { class: "overflow-hidden rounded-md border border-slate-200 dark:border-slate-700" },
        h(
          "figcaption",
          {
            class:
              "border-b border-slate-200 bg-slate-100 px-2 py-1 font-mono text-xs dark:border-slate-700 dark:bg-slate-800",
          },
          file.name || "(changes)",
        ),
        h("div", { class: "overflow-x-auto" }, sideBySide(file), unified(file)),
      ),
    ),
  );
}
