export { type CliIO, type OutputStream, processIO } from "./io.js";
export { buildProgram, main } from "./program.js";
