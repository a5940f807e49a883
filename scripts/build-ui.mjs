#!/usr/bin/env node
/**
 * Builds the web dashboard into one folder that `hob serve` serves as it is:
 *   OUT/index.html, OUT/assets/app.js (esbuild), OUT/assets/app.css (Tailwind), OUT/assets/icon.svg.
 * Everything is made here at build time: the page loads nothing remote at run time.
 * Usage: node scripts/build-ui.mjs [--out DIR]   (default dist/ui)
 * Any failure exits non-zero with the reason.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const run = promisify(execFile);

function outDir(argv) {
  const unknown = argv.filter((arg, i) => arg !== "--out" && argv[i - 1] !== "--out");
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]} (usage: build-ui.mjs [--out DIR])`);
  const at = argv.indexOf("--out");
  if (at === -1) return join(root, "dist", "ui");
  const value = argv[at + 1];
  if (!value || value.startsWith("--")) throw new Error("--out needs a directory");
  return resolve(value);
}

async function bundleScript(out) {
  const { build } = await import("esbuild");
  await build({
    entryPoints: [join(root, "ui", "src", "main.ts")],
    outfile: join(out, "assets", "app.js"),
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2022",
    sourcemap: false,
    legalComments: "none",
    logLevel: "silent",
  });
}

async function buildStyles(out) {
  // The input lives inside the project so Tailwind resolves `@import "tailwindcss"` from node_modules.
  const cli = join(root, "node_modules", ".bin", "tailwindcss");
  if (!existsSync(cli)) throw new Error(`Tailwind CLI not found at ${cli} (npm ci?)`);
  await run(cli, ["-i", join(root, "ui", "styles.css"), "-o", join(out, "assets", "app.css"), "--minify"], {
    cwd: root,
  });
}

async function main() {
  const started = Date.now();
  const out = outDir(process.argv.slice(2));
  rmSync(join(out, "assets"), { recursive: true, force: true });
  mkdirSync(join(out, "assets"), { recursive: true });
  await Promise.all([bundleScript(out), buildStyles(out)]);
  copyFileSync(join(root, "ui", "index.html"), join(out, "index.html"));
  copyFileSync(join(root, "ui", "icon.svg"), join(out, "assets", "icon.svg"));
  for (const file of ["index.html", "assets/app.js", "assets/app.css", "assets/icon.svg"]) {
    if (!existsSync(join(out, file))) throw new Error(`the build did not produce ${file}`);
  }
  process.stdout.write(`ui built into ${out} in ${Date.now() - started} ms\n`);
}

main().catch((error) => {
  const detail = error?.errors?.length
    ? error.errors.map((e) => `${e.location?.file ?? ""}:${e.location?.line ?? ""} ${e.text}`).join("\n")
    : (error?.stderr ?? "").toString().trim() || (error?.message ?? String(error));
  process.stderr.write(`build-ui failed: ${detail}\n`);
  process.exit(1);
});
