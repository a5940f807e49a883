import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadedConfig } from "../config/index.js";
import { colorsFor } from "./format.js";
import type { CliIO } from "./io.js";

/**
 * litellm.yaml keys hob does not implement are reported once per version of the
 * file (not on every command): a stamp in HOB_HOME remembers the file's hash.
 * `hob doctor` and `hob config show` always list them.
 */
export function warnOnceAboutRouterConfig(io: CliIO, config: LoadedConfig): void {
  const { warnings, sha256 } = config.router;
  if (warnings.length === 0) return;
  const stamp = join(config.paths.home, ".litellm-warned");
  try {
    if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === sha256) return;
    const c = colorsFor(io.stderr, io.env);
    for (const warning of warnings) io.stderr.write(c.yellow(`warning: ${warning}\n`));
    io.stderr.write(c.dim("(shown once for this version of the file; `hob doctor` lists them again)\n"));
    writeFileSync(stamp, `${sha256}\n`);
  } catch {
    // A read-only HOB_HOME only means the warnings come back next time.
  }
}
