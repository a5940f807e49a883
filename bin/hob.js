#!/usr/bin/env node
// The `hob` executable: loads the compiled CLI (run `npm run build` after editing src/).
import { main, processIO } from "../dist/cli/index.js";

const code = await main(process.argv.slice(2), processIO());
// Exit explicitly: an idle keep-alive socket must not hold the terminal. Writes to
// pipes and terminals are synchronous on Linux and macOS, so nothing is lost.
process.exit(code);
