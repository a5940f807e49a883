/**
 * Start-up stays lazy: `hob --version` and `hob --help` load neither zod, nor yaml, nor the SQLite
 * driver (each command's modules load when it runs). Checked on the built CLI (bin/hob.js and its
 * bundle) by recording every module the process loads: ES modules through a resolve hook,
 * CommonJS through require's cache at exit. For bundled chunks, the packages inlined in them are
 * named by esbuild's per-module comments, so a chunk that holds zod is recognised as zod.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, tempHome } from "./helpers.js";

const RECORDER = `
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
const out = process.env.HOB_LOAD_RECORD;
register("data:text/javascript," + encodeURIComponent(\`
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(\${JSON.stringify(out)}, result.url + "\\\\n");
  return result;
}\`));
const require = createRequire(import.meta.url);
process.on("exit", () => appendFileSync(out, Object.keys(require.cache).map((f) => "cjs:" + f + "\\n").join("")));
`;

/** The packages a loaded file is or holds (a bundled chunk holds several). */
function packagesIn(entry: string): string[] {
  const file = entry.startsWith("file://") ? fileURLToPath(entry) : entry.replace(/^cjs:/, "");
  const found = new Set<string>();
  const add = (path: string) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    if (match?.[1]) found.add(match[1]);
  };
  add(file);
  if (file.includes(`${join("dist", "bundle")}/`) && existsSync(file)) {
    for (const comment of readFileSync(file, "utf8").matchAll(/^\/\/ (\S*node_modules\/\S+)$/gm))
      add(comment[1] as string);
  }
  return [...found];
}

describe("start-up loads only what the command uses", () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
  });
  afterEach(() => cleanup());

  function loaded(args: string[]): string[] {
    const recorder = join(home, "recorder.mjs");
    const record = join(home, "loaded.txt");
    writeFileSync(recorder, RECORDER);
    writeFileSync(record, "");
    const result = spawnSync(process.execPath, ["--import", recorder, join(REPO_ROOT, "bin", "hob.js"), ...args], {
      env: { ...process.env, HOB_HOME: home, HOB_LOAD_RECORD: record },
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    const entries = readFileSync(record, "utf8").split("\n").filter(Boolean);
    const packages = [...new Set(entries.flatMap(packagesIn))];
    expect(packages).toContain("commander"); // the recorder saw the CLI load
    return packages;
  }

  it.each([["--version"], ["--help"], ["run", "--help"]])("hob %s … loads no zod, yaml or SQLite", (...args) => {
    const packages = loaded(args);
    expect(packages).not.toContain("zod");
    expect(packages).not.toContain("yaml");
    // The SQLite driver is better-sqlite3 on Node 20 and its alias better-sqlite3-napi on Node 22+.
    expect(packages.filter((p) => p.startsWith("better-sqlite3"))).toEqual([]);
  });

  it("the recorder does see zod and SQLite where a command needs them", () => {
    const packages = loaded(["history"]);
    expect(packages.filter((p) => p.startsWith("better-sqlite3"))).toHaveLength(1);
    expect(packages).toContain("zod");
  });
});
