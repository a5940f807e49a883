import { deleteFile, lintFile, listDirectory, moveFile, readFile, searchFiles, writeFile } from "./file-tools.js";
import { ToolRegistry } from "./registry.js";
import { createSkill, findSkills, runSkillTool } from "./skill-tools.js";
import type { Tool } from "./types.js";
import { fetchUrl, webSearch } from "./web-tools.js";

/** Every tool, by the exact name the model sees. */
export const TOOLS: Record<string, Tool<never>> = Object.fromEntries(
  [
    readFile,
    writeFile,
    listDirectory,
    searchFiles,
    moveFile,
    deleteFile,
    lintFile,
    webSearch,
    fetchUrl,
    findSkills,
    runSkillTool,
    createSkill,
  ].map((tool) => [tool.name, tool as unknown as Tool<never>]),
);

export const TOOL_NAMES = Object.keys(TOOLS);

/** A registry holding hob's built-in tools; skills and MCP servers add theirs to it. */
export function builtInTools(): ToolRegistry {
  const registry = new ToolRegistry();
  for (const tool of Object.values(TOOLS)) registry.register(tool, "built-in");
  return registry;
}

export { type LintDiagnostic, type LintResult, languageOf, lintSource } from "./lint.js";
export { type RegisteredTool, ToolRegistry, type ToolSource } from "./registry.js";
export { isPrivateAddress } from "./ssrf.js";
export type {
  ActionPreview,
  Assessment,
  Situation,
  SkillProposal,
  SkillSummary,
  SkillsAccess,
  Tool,
  ToolContext,
  ToolFileSystem,
} from "./types.js";
export { asUntrustedData } from "./untrusted.js";
export {
  brave,
  type FetchLimits,
  fetchPage,
  type Page,
  type SearchProvider,
  type SearchResult,
  searxng,
} from "./web.js";
