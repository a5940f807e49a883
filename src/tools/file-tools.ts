import { createHash } from "node:crypto";
import { z } from "zod";
import { HobError } from "../errors/index.js";
import { lintSource } from "./lint.js";
import type { Tool, ToolContext } from "./types.js";

const path = z.string().describe("a path relative to the workspace");
const MAX_OUTPUT = 20_000;

const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);
const cap = (text: string) =>
  text.length > MAX_OUTPUT
    ? `${text.slice(0, MAX_OUTPUT)}\n… (${text.length - MAX_OUTPUT} more characters not shown)`
    : text;

/** A read-only tool changes nothing, so there is no situation to approve and no state to fingerprint. */
function readOnly(tool: string, verb: string, ctx: ToolContext, path: string, intent: "read" | "list") {
  const resolved = ctx.fs.check(path, intent);
  return {
    preview: { tool, summary: `${verb} ${resolved.relative}`, targets: [resolved.path] },
    situations: [],
    fingerprint: "",
  };
}

/** Fingerprint of a target: whether it exists and what it holds (or, unread, which file it is). */
async function stateOf(ctx: ToolContext, p: string, intent: "write" | "delete" | "move-from" | "move-to") {
  const { resolved, content, size, stamp } = await ctx.fs.inspect(p, intent);
  return {
    resolved,
    content,
    fingerprint: resolved.exists ? `${size ?? 0}:${content === undefined ? (stamp ?? "?") : sha(content)}` : "absent",
  };
}

/** Paths of the user's files this task moved away or deleted (see ToolContext.vacated). */
function vacated(ctx: ToolContext): Set<string> {
  ctx.vacated ??= new Set();
  return ctx.vacated;
}

/**
 * Whether putting something at `resolved` replaces a file the user had: one there now
 * that this task did not create, or one this task moved away or deleted earlier (so
 * "move it aside, then create" still asks, like a plain overwrite would).
 */
function replacesUserFile(ctx: ToolContext, resolved: { path: string; exists: boolean }): boolean {
  return resolved.exists ? !ctx.created.has(resolved.path) : vacated(ctx).has(resolved.path);
}

/** Remembers that this task emptied `path`: its own file needs no approval to recreate, the user's does. */
function recordVacated(ctx: ToolContext, path: string): void {
  if (!ctx.created.has(path)) vacated(ctx).add(path);
}

export const readFile: Tool<{ path: string }> = {
  name: "read_file",
  description: "Read a text file in the workspace.",
  params: z.object({ path }),
  readOnly: true,
  async assess(args, ctx) {
    return readOnly("read_file", "read", ctx, args.path, "read");
  },
  async execute(args, ctx) {
    return cap(await ctx.fs.readFile(args.path));
  },
};

export const writeFile: Tool<{ path: string; content: string }> = {
  name: "write_file",
  description: "Create or replace a text file in the workspace with the given content.",
  params: z.object({ path, content: z.string() }),
  readOnly: false,
  async assess(args, ctx) {
    const state = await stateOf(ctx, args.path, "write");
    const overwrite = replacesUserFile(ctx, state.resolved);
    const diff =
      state.resolved.exists && state.content !== undefined
        ? (await import("diff")).createTwoFilesPatch(
            `a/${state.resolved.relative}`,
            `b/${state.resolved.relative}`,
            state.content,
            args.content,
            "",
            "",
            { context: 3 },
          )
        : undefined;
    return {
      preview: {
        tool: "write_file",
        summary: `${state.resolved.exists ? "overwrite" : "create"} ${state.resolved.relative} (${Buffer.byteLength(args.content)} bytes)`,
        targets: [state.resolved.path],
        ...(diff ? { diff } : {}),
      },
      situations: overwrite ? ["overwrite"] : [],
      fingerprint: `${state.fingerprint}>${sha(args.content)}`,
    };
  },
  async execute(args, ctx) {
    const result = await ctx.fs.writeFile(args.path, args.content);
    const resolved = ctx.fs.check(args.path, "write");
    if (result.created) ctx.created.add(resolved.path);
    ctx.written.add(resolved.relative);
    return `${result.created ? "Created" : "Wrote"} ${resolved.relative} (${result.bytes} bytes).`;
  },
};

export const listDirectory: Tool<{ path?: string }> = {
  name: "list_directory",
  description: "List the entries of a directory in the workspace (default: the workspace root).",
  params: z.object({ path: path.optional() }),
  readOnly: true,
  async assess(args, ctx) {
    return readOnly("list_directory", "list", ctx, args.path ?? ".", "list");
  },
  async execute(args, ctx) {
    const entries = await ctx.fs.listDirectory(args.path ?? ".");
    if (entries.length === 0) return "(empty directory)";
    return cap(
      entries
        .map(
          (e) =>
            `${e.type === "directory" ? `${e.name}/` : e.name}${e.type === "file" ? `  ${e.size} B` : e.type === "symlink" ? "  (link)" : ""}`,
        )
        .join("\n"),
    );
  },
};

export const searchFiles: Tool<{ pattern: string; path?: string; glob?: string }> = {
  name: "search_files",
  description:
    'Search the workspace: files whose path matches `glob` (e.g. "**/*.md") and whose content matches the regular expression `pattern`. An empty pattern lists the matching files.',
  params: z.object({ pattern: z.string(), path: path.optional(), glob: z.string().optional() }),
  readOnly: true,
  async assess(args, ctx) {
    return readOnly("search_files", "search", ctx, args.path ?? ".", "list");
  },
  async execute(args, ctx) {
    const { matches, truncated, skipped } = await ctx.fs.searchFiles(
      args.pattern,
      args.path ?? ".",
      args.glob,
      ctx.signal ? { signal: ctx.signal } : {},
    );
    const note = skipped
      ? `\n(${skipped} file${skipped === 1 ? "" : "s"} not searched: other hard links, which may be files outside the workspace)`
      : "";
    if (matches.length === 0) return `No matches.${note}`;
    const lines = matches.map((m) => (m.line === undefined ? m.path : `${m.path}:${m.line}: ${m.text}`));
    return cap(`${lines.join("\n")}${truncated ? "\n… (more matches not shown)" : ""}${note}`);
  },
};

export const moveFile: Tool<{ source: string; destination: string }> = {
  name: "move_file",
  description: "Move or rename a file inside the workspace.",
  params: z.object({ source: path, destination: path }),
  readOnly: false,
  async assess(args, ctx) {
    const from = await stateOf(ctx, args.source, "move-from");
    const to = await stateOf(ctx, args.destination, "move-to");
    return {
      preview: {
        tool: "move_file",
        summary: `move ${from.resolved.relative} → ${to.resolved.relative}${to.resolved.exists ? " (replacing it)" : ""}`,
        targets: [from.resolved.path, to.resolved.path],
      },
      situations: to.resolved.exists ? ["move_overwrite"] : replacesUserFile(ctx, to.resolved) ? ["overwrite"] : [],
      fingerprint: `${from.fingerprint}>${to.fingerprint}`,
    };
  },
  async execute(args, ctx) {
    const from = ctx.fs.check(args.source, "move-from").path;
    const to = ctx.fs.check(args.destination, "move-to").path;
    await ctx.fs.moveFile(args.source, args.destination);
    // The task's own file keeps being its own under the new name.
    if (ctx.created.delete(from)) ctx.created.add(to);
    else recordVacated(ctx, from);
    return `Moved ${args.source} to ${args.destination}.`;
  },
};

export const deleteFile: Tool<{ path: string }> = {
  name: "delete_file",
  description: "Delete a file (or an empty directory) in the workspace.",
  params: z.object({ path }),
  readOnly: false,
  async assess(args, ctx) {
    const state = await stateOf(ctx, args.path, "delete");
    return {
      preview: { tool: "delete_file", summary: `delete ${state.resolved.relative}`, targets: [state.resolved.path] },
      situations: ["delete"],
      fingerprint: state.fingerprint,
    };
  },
  async execute(args, ctx) {
    const target = ctx.fs.check(args.path, "delete").path;
    await ctx.fs.deleteFile(args.path);
    recordVacated(ctx, target);
    return `Deleted ${args.path}.`;
  },
};

export const lintFile: Tool<{ path: string }> = {
  name: "lint_file",
  description: "Lint a JavaScript, TypeScript, Python or Bash file in the workspace and return its diagnostics.",
  params: z.object({ path }),
  readOnly: true,
  async assess(args, ctx) {
    return readOnly("lint_file", "lint", ctx, args.path, "read");
  },
  async execute(args, ctx) {
    const content = await ctx.fs.readFile(args.path);
    const result = await lintSource(args.path, content);
    if (!result)
      throw new HobError(
        "E_TOOL",
        `No linter for ${args.path}: JavaScript, TypeScript, Python and Bash are supported.`,
      );
    if (result.diagnostics.length === 0) return `${args.path}: clean (${result.linter}).`;
    const lines = result.diagnostics.map(
      (d) => `${args.path}:${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`,
    );
    return cap(`${result.ok ? "No errors" : "Errors found"} (${result.linter}):\n${lines.join("\n")}`);
  },
};
