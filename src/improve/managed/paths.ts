import { lstatSync } from "node:fs";
import { join } from "node:path";
import { SKILL_NAME } from "../../skills/index.js";

/**
 * What a self-improvement proposal may write in the managed repository, by path relative to
 * it: `agents/<name>.yaml`, a file under `skills/<name>/`, `routing.yaml`, `litellm.yaml`.
 * Everything else is refused with the path and the reason: git's own files (`.git/`,
 * `.gitattributes`, `.gitmodules`, hooks, anything starting `.git`), hidden files, `..`,
 * absolute paths, control characters, and every file of hob's own (hob.yaml, approvals.key,
 * hob.db, the sandbox policy, hob's source).
 */
export type ManagedPathCheck = { ok: true } | { ok: false; reason: string };

/** An agent's name, as agent YAML requires it (`name:`, agents/definition.ts); the file is `agents/<name>.yaml`. */
const AGENT_NAME = /^[a-z][a-z0-9-]*$/;
/** One path segment inside a skill folder: letters, digits, `.`, `_`, `-`, not starting with a dot. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_PATH = 255;
const MAX_DEPTH = 8;

const TOP_FILES = new Set(["routing.yaml", "litellm.yaml"]);

/**
 * Whether a proposal may write `path` (relative to the managed repository, `/`-separated).
 * With `root` (the managed repository), each existing part of the path is also checked on
 * disk: a symbolic link, or a file where a folder should be, is refused.
 */
export function checkManagedPath(path: string, options: { root?: string } = {}): ManagedPathCheck {
  const shape = checkShape(path);
  if (!shape.ok || options.root === undefined) return shape;
  return checkOnDisk(options.root, path);
}

function refuse(path: string, why: string): ManagedPathCheck {
  return { ok: false, reason: `${JSON.stringify(path)}: ${why}.` };
}

function checkShape(path: string): ManagedPathCheck {
  if (typeof path !== "string" || path.length === 0) return refuse(String(path), "the path is empty");
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(path)) {
    return refuse(path, "it contains a control or invisible formatting character (NUL, newline, zero-width…)");
  }
  if (path.length > MAX_PATH) return refuse(path, `it is longer than ${MAX_PATH} characters`);
  if (path.includes("\\")) return refuse(path, "it contains a backslash; use `/` between folders");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path) || path.startsWith("~")) {
    return refuse(path, "it is absolute; give a path relative to the managed repository");
  }
  const parts = path.split("/");
  if (parts.some((part) => part === "..")) return refuse(path, "it contains `..`, which could leave the repository");
  if (parts.some((part) => part === "" || part === ".")) {
    return refuse(path, "it has an empty or `.` part (`//`, `./`, or a trailing `/`)");
  }
  if (parts.length > MAX_DEPTH) return refuse(path, `it is more than ${MAX_DEPTH} levels deep`);
  // Case-insensitive (macOS and Windows file systems), and with the trailing dots and spaces Windows drops.
  const gitPart = parts.find((part) => /^\.git/i.test(part.replace(/[. ]+$/, "")) || /^git~\d/i.test(part));
  if (gitPart !== undefined) {
    return refuse(path, `\`${gitPart}\` is git's own (its config, hooks, attributes or submodules): never changed`);
  }
  const hidden = parts.find((part) => part.startsWith("."));
  if (hidden !== undefined) return refuse(path, `\`${hidden}\` is a hidden file or folder; none is allowed`);

  const [top, second, ...rest] = parts;
  if (parts.length === 1) {
    if (top !== undefined && TOP_FILES.has(top)) return { ok: true };
    return refuse(path, `only routing.yaml and litellm.yaml may be changed at the top (${outside(top ?? "")})`);
  }
  if (top === "agents") {
    if (parts.length !== 2 || second === undefined || !second.endsWith(".yaml")) {
      return refuse(path, "under agents/ only `agents/<name>.yaml` files may be changed");
    }
    const name = second.slice(0, -".yaml".length);
    if (!AGENT_NAME.test(name)) {
      return refuse(path, `\`${name}\` is not an agent name (lowercase letters, digits and dashes, a letter first)`);
    }
    return { ok: true };
  }
  if (top === "skills") {
    if (second === undefined || !SKILL_NAME.test(second)) {
      return refuse(
        path,
        `\`${second ?? ""}\` is not a skill name (1–64 lowercase letters, digits and single hyphens)`,
      );
    }
    if (rest.length === 0) return refuse(path, "name a file inside the skill's folder, not the folder");
    const bad = rest.find((part) => !SEGMENT.test(part));
    if (bad !== undefined) {
      return refuse(path, `\`${bad}\` is not an allowed name in a skill (letters, digits, \`.\`, \`_\`, \`-\`)`);
    }
    return { ok: true };
  }
  return refuse(path, `only agents/, skills/, routing.yaml and litellm.yaml may be changed (${outside(top ?? "")})`);
}

/** Why a well-known file of hob's own is out of reach, for a clearer refusal. */
function outside(name: string): string {
  const known: Record<string, string> = {
    "hob.yaml": "hob.yaml is the user's own configuration",
    "approvals.key": "approvals.key seals approval records",
    "hob.db": "hob.db is hob's database, with the approval store",
    src: "hob's own source is never changed by a proposal",
    "README.md": "the README describes the repository and is hob's",
  };
  return known[name] ?? `\`${name}\` is not one of them`;
}

/** Refuses symbolic links (and non-folders where a folder is needed) on the way to `path`. */
function checkOnDisk(root: string, path: string): ManagedPathCheck {
  const parts = path.split("/");
  let current = root;
  for (const [index, part] of parts.entries()) {
    current = join(current, part);
    let stats: ReturnType<typeof lstatSync>;
    try {
      stats = lstatSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ok: true };
      return refuse(path, `${current} cannot be checked (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    if (stats.isSymbolicLink()) return refuse(path, `${current} is a symbolic link; none is allowed`);
    const last = index === parts.length - 1;
    if (!last && !stats.isDirectory()) return refuse(path, `${current} is not a folder`);
    if (last && !stats.isFile()) return refuse(path, `${current} is not a regular file`);
  }
  return { ok: true };
}
