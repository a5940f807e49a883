#!/usr/bin/env node
/**
 * Bundles the CLI (src/cli/index.ts and everything it imports, lazily imported commands
 * included) into dist/bundle/: `hob.js` plus shared chunks, which `bin/hob.js` loads.
 *
 * Why: Node 20 loads an ES module graph file by file (resolve, read, parse, link), and a
 * command's graph is hundreds of files (zod alone is ~100). One file per chunk starts
 * measurably faster. Commands stay lazy: each dynamic `import()` becomes its own chunk,
 * so `hob --version` still loads only the entry chunk.
 *
 * Only pure-JavaScript packages on the hot paths are bundled (BUNDLED below); everything
 * else (native drivers, WebAssembly, packages that find files next to themselves) stays
 * an ordinary import from node_modules. Our own modules find their files (config/, agents/,
 * data/routing/, package.json) as `../../<path>` from `import.meta.url`, which holds for
 * dist/<room>/ and dist/bundle/ alike: keep the bundle two folders below the repository root.
 *
 * Usage: node scripts/build-cli.mjs   (part of `npm run build`)
 */
import { existsSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "bundle");

/** Pure-JS packages worth inlining: on the start-up path of route/run, and free of file lookups. */
const BUNDLED = new Set([
  "zod",
  "yaml",
  "commander",
  "picocolors",
  "picomatch",
  "ollama",
  "whatwg-fetch",
  "eventsource-parser",
  "@ai-sdk/anthropic",
  "@ai-sdk/openai-compatible",
  "@ai-sdk/provider",
  "@ai-sdk/provider-utils",
  "@standard-schema/spec",
]);

const packageName = (specifier) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];

const { build } = await import("esbuild");
rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { hob: join(root, "src", "cli", "index.ts") },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunk-[hash]",
  sourcemap: false,
  logLevel: "warning",
  // Bundled CommonJS packages (commander, yaml) call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __hobCreateRequire } from "node:module"; const require = __hobCreateRequire(import.meta.url);',
  },
  plugins: [
    {
      name: "bundle-only-listed-packages",
      setup(builder) {
        builder.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith("node:")) return { external: true };
          return BUNDLED.has(packageName(args.path)) ? undefined : { external: true };
        });
        // Our modules only declare things (no module runs code for its effect when imported), so
        // a module none of whose exports a command uses is left out of that command's chunks:
        // importing one thing through a room's index.ts does not load the whole room.
        builder.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
          const file = resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
          if (!file.startsWith(join(root, "src")) || !existsSync(file)) return undefined;
          return { path: file, sideEffects: false };
        });
      },
    },
  ],
});
