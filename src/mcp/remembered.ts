import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { HobError } from "../errors/index.js";

export interface RememberedApproval {
  server: string;
  tool: string;
  /** The tool's definition when it was approved: a changed definition is not covered. */
  definition_sha256: string;
  approved_at: string;
}

interface FileShape {
  version: 1;
  approvals: RememberedApproval[];
}

/**
 * MCP tools a human approved with "always", kept in `$HOB_HOME/mcp-approvals.json` (written
 * atomically: a temporary file renamed over the old one, readable by the user only). Each
 * binds the tool's definition hash, so a server that changes a tool's description or
 * schema, or renames it, is asked about again.
 */
export class RememberedApprovals {
  readonly file: string;

  constructor(home: string) {
    this.file = join(home, "mcp-approvals.json");
  }

  list(): RememberedApproval[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as FileShape;
      return Array.isArray(parsed.approvals) ? parsed.approvals : [];
    } catch {
      throw new HobError("E_CONFIG", `${this.file} is not valid JSON.`, {
        hint: "Delete it: hob then asks again before each MCP tool's first use.",
      });
    }
  }

  has(server: string, tool: string, hash: string): boolean {
    return this.list().some((a) => a.server === server && a.tool === tool && a.definition_sha256 === hash);
  }

  add(server: string, tool: string, hash: string, now = new Date()): void {
    const kept = this.list().filter((a) => !(a.server === server && a.tool === tool));
    kept.push({ server, tool, definition_sha256: hash, approved_at: now.toISOString() });
    this.write(kept);
  }

  /** Forgets a server's tools (all of them, or one); how many were forgotten. */
  forget(server: string, tool?: string): number {
    const all = this.list();
    const kept = all.filter((a) => a.server !== server || (tool !== undefined && a.tool !== tool));
    if (kept.length !== all.length) this.write(kept);
    return all.length - kept.length;
  }

  private write(approvals: RememberedApproval[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ version: 1, approvals } satisfies FileShape, null, 2)}\n`, {
      mode: 0o600,
    });
    renameSync(temp, this.file);
  }
}

/**
 * `hob approvals approve <id> --always`: checks that the MCP tool a pending approval is for can
 * be remembered, as it was defined when the human was asked (the approval's target:
 * `mcp://<server>/<tool>#definition-sha256=…`), and returns `remember`, which the caller runs
 * only once the approval itself was granted (nothing is remembered for one that could not be).
 */
export function rememberFromTarget(
  config: { paths: { home: string }; config: { mcp_servers: Record<string, { always_ask: string[] }> } },
  target: string | undefined,
): { server: string; tool: string; remember: () => void } {
  const match = target ? /^mcp:\/\/([^/]+)\/([^#]+)#definition-sha256=([0-9a-f]{64})$/.exec(target) : null;
  if (!match) {
    throw new HobError("E_USAGE", "--always is only for calls of an MCP server's tool.", {
      hint: "Approve this call without --always.",
    });
  }
  const server = match[1] as string;
  if (!Object.hasOwn(config.config.mcp_servers, server)) {
    throw new HobError("E_USAGE", `MCP server "${server}" is no longer configured: there is nothing to remember.`, {
      hint: "Approve this call without --always.",
    });
  }
  const tool = decodeURIComponent(match[2] as string);
  if (config.config.mcp_servers[server]?.always_ask.includes(tool)) {
    throw new HobError(
      "E_USAGE",
      `"${tool}" of MCP server "${server}" is in always_ask: it is asked about every time.`,
      {
        hint: "Approve this call without --always, or remove the tool from always_ask in hob.yaml.",
      },
    );
  }
  const hash = match[3] as string;
  return { server, tool, remember: () => new RememberedApprovals(config.paths.home).add(server, tool, hash) };
}
