import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Subprocess tests run the built CLI; build it when a bare `vitest` runs without `npm test`. */
export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  if (!existsSync(join(root, "dist", "cli", "index.js"))) {
    execFileSync(
      process.execPath,
      [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
      {
        cwd: root,
        stdio: "inherit",
      },
    );
  }
  // bin/hob.js loads the bundled CLI.
  if (!existsSync(join(root, "dist", "bundle", "hob.js"))) {
    execFileSync(process.execPath, [join(root, "scripts", "build-cli.mjs")], { cwd: root, stdio: "inherit" });
  }
}
