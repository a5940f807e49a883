import type { ApprovalOwner } from "../approvals/index.js";
import type { LoadedConfig } from "../config/index.js";
import { SandboxedFileSystem } from "../sandbox/index.js";
import type { SkillRegistry } from "../skills/index.js";
import type { Store } from "../store/index.js";
import { brave, type SearchProvider, searxng, type ToolContext } from "../tools/index.js";
import { hobPaths } from "./hob-paths.js";
import { skillsAccess } from "./skills-access.js";

export { hobPaths };

export function searchProvider(config: LoadedConfig): SearchProvider | undefined {
  const { provider, url, apiKey } = config.search;
  if (provider === "searxng" && url) return searxng(url);
  if (provider === "brave" && apiKey) return brave(apiKey, url);
  return undefined;
}

/** The tools' view of the world for one task: its sandboxed workspace, web access, and what it did so far. */
export async function createToolContext(
  config: LoadedConfig,
  owners: { store: Store; approvals: Pick<ApprovalOwner, "approveDomain" | "isDomainApproved"> },
  taskId: string,
  workspace: string,
  saved: { created: string[]; written: string[]; sources: string[]; vacated?: string[] },
  signal: AbortSignal | undefined,
  now: () => number,
  skills?: SkillRegistry,
): Promise<ToolContext> {
  const fs = await SandboxedFileSystem.create(workspace, {
    hobPaths: hobPaths(config),
    audit: (entry) => owners.store.audit.insert({ ...entry, at: now(), taskId }),
    // Active skills' folders, read-only, as skill://<name>/… (their instructions point at their files).
    ...(skills ? { skillFolder: (name: string) => skills.readableFolder(name) } : {}),
  });
  const allowed = new Set(config.config.approvals.allowed_domains);
  return {
    fs,
    created: new Set(saved.created),
    written: new Set(saved.written),
    sources: new Set(saved.sources),
    vacated: new Set(saved.vacated ?? []),
    search: searchProvider(config),
    ...(skills ? { skills: skillsAccess(skills, fs.root, taskId) } : {}),
    fetchLimits: {
      allowPrivateHosts: config.config.research.fetch.allow_private_hosts,
      maxBytes: config.config.research.fetch.max_bytes,
      timeoutMs: config.config.research.fetch.timeout_ms,
    },
    domainApproved: (domain) => allowed.has(domain) || owners.approvals.isDomainApproved(domain),
    approveDomain: (domain) => owners.approvals.approveDomain(domain),
    signal,
  };
}
