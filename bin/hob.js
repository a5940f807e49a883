#!/usr/bin/env node
// The `hob` executable: loads the bundled CLI (run `npm run build` after editing src/).
// Node 22.1+ keeps compiled code between runs; Node 20 has no compile cache and skips this.
import module from "node:module";

module.enableCompileCache?.();
const { main, processIO } = await import("../dist/bundle/hob.js");

const code = await main(process.argv.slice(2), processIO());
// Exit explicitly: an idle keep-alive socket must not hold the terminal. Writes to
// pipes and terminals are synchronous on Linux and macOS, so nothing is lost.
process.exit(code);
