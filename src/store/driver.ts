import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

/**
 * The SQLite driver for the Node that runs hob. better-sqlite3 12.x (built on Node's
 * `node::ObjectWrap`) aborts Node ≥ 24.19 when a statement is finalised after the
 * environment is torn down ("Assertion failed: (env) != nullptr" in
 * RemoveEnvironmentCleanupHook); 13.x (node-addon-api, prebuilt binaries in the package)
 * does not, but declares Node ≥ 22 and crashes on Node 20. Both are installed (13.x under
 * the alias `better-sqlite3-napi`), and the one that works on this Node is loaded. Their
 * JavaScript API is the same.
 */
const major = Number(process.versions.node.split(".")[0]);
export const DRIVER = major >= 22 ? "better-sqlite3-napi" : "better-sqlite3";

export const Database = createRequire(import.meta.url)(DRIVER) as typeof BetterSqlite3;
export type Database = BetterSqlite3.Database;
