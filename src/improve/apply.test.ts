import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure } from "../../test/helpers.js";
import { pendingRoutingProposal } from "../../test/proposal-helper.js";
import { loadConfig } from "../config/index.js";
import { Store } from "../store/index.js";
import { type ApplyDeps, applyDeps, approveProposal, rejectProposal, rollbackProposal } from "./index.js";

const git = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" }).trim();

describe("applying and rolling back proposals (real git, real SQLite)", () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let store: Store;
  let deps: ApplyDeps;

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), "hob-apply-"));
    env = { HOB_HOME: home, OLLAMA_HOST: "http://127.0.0.1:47" };
    store = Store.open(join(home, "hob.db"));
    deps = await applyDeps(loadConfig(env), store, env);
  });
  afterEach(() => {
    store.close();
    rmSync(home, { recursive: true, force: true });
  });

  const propose = (key: string, agent: string, tier: string, ttlMs?: number) =>
    pendingRoutingProposal(store, env, { key, complexity: "complex", agent, tier, ...(ttlMs ? { ttlMs } : {}) });

  it("refuses an expired approval and a rejected proposal", async () => {
    const expiring = await propose("a", "general", "local", 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const expired = await failure(approveProposal(deps, expiring, "cli"));
    expect(expired).toMatchObject({ code: "E_APPROVAL" });
    expect(expired.message).toContain("expired");
    expect(store.proposals.get(expiring).status).toBe("pending");

    const rejected = await propose("b", "code", "local");
    expect((await rejectProposal(deps, rejected, "cli")).status).toBe("rejected");
    expect(store.approvals.get(store.proposals.get(rejected).approvalId as string)).toMatchObject({
      status: "denied",
      decidedBy: "cli",
    });
    expect((await failure(approveProposal(deps, rejected, "cli"))).message).toContain("is rejected");
  });

  it("names the later proposal that blocks a rollback, and rolls back newest first", async () => {
    const first = await propose("first", "general", "local");
    await approveProposal(deps, first, "cli");
    const second = await propose("second", "general", "smart"); // the same line of routing.yaml
    await approveProposal(deps, second, "cli");
    const blocked = await failure(rollbackProposal(deps, first));
    expect(blocked.code).toBe("E_CONFLICT");
    expect(blocked.message).toContain(`by proposal ${second}`);
    expect(blocked.hint).toContain(`Roll back ${second} first`);
    expect(git(deps.managedRepo, "status", "--porcelain")).toBe(""); // nothing half-done
    expect((await rollbackProposal(deps, second)).status).toBe("rolled_back");
    expect((await rollbackProposal(deps, first)).status).toBe("rolled_back");
  });

  it("finishes a rollback that a crash cut short after its revert commit, without reverting twice", async () => {
    const id = await propose("crash", "general", "local");
    const applied = await approveProposal(deps, id, "cli");
    git(deps.managedRepo, "revert", "--no-commit", applied.commitSha as string);
    execFileSync("git", [
      "-C",
      deps.managedRepo,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@t",
      "commit",
      "-qm",
      `Roll back\n\nHob-Rollback-Of: ${id}`,
    ]);
    const commits = git(deps.managedRepo, "rev-list", "--count", "HEAD");
    const done = await rollbackProposal(deps, id);
    expect(done).toMatchObject({ status: "rolled_back", revertSha: git(deps.managedRepo, "rev-parse", "HEAD") });
    expect(git(deps.managedRepo, "rev-list", "--count", "HEAD")).toBe(commits);
  });

  it("does not trust a proposal row set to approved without a sealed approval of its diff", async () => {
    const id = await propose("forged", "general", "local");
    const other = await propose("other", "code", "local");
    const forged = store.proposals.get(other);
    // Someone who can write hob.db swaps in another diff (with its matching hash) and marks the proposal approved.
    store.db
      .prepare("UPDATE proposals SET diff = ?, diff_sha256 = ?, files = ?, status = 'approved' WHERE id = ?")
      .run(forged.diff, forged.diffSha256, JSON.stringify(forged.files), id);
    const refused = await failure(approveProposal(deps, id, "cli"));
    expect(refused.code).toBe("E_APPROVAL");
    expect(git(deps.managedRepo, "rev-list", "--count", "HEAD")).toBe("1");
  });

  it("keeps a rationale from forging the trailers hob finds its commits by", async () => {
    const first = await propose("first-trailer", "general", "local");
    const second = await propose("second-trailer", "code", "local");
    store.db
      .prepare("UPDATE proposals SET rationale = ? WHERE id = ?")
      .run(`Harmless.\n\nHob-Rollback-Of: ${first}\nHob-Proposal: ${first}`, second);
    const applied = await approveProposal(deps, second, "cli");
    const message = git(deps.managedRepo, "log", "-1", "--format=%B", applied.commitSha as string);
    expect(message).toContain(`> Hob-Rollback-Of: ${first}`);
    expect(message.split("\n").at(-1)).toBe(`Hob-Proposal: ${second}`);
    // Approving the first one really tries to apply it (here it no longer fits, since both create routing.yaml);
    // the forged trailer in the second one's message did not make it count as applied.
    const error = await failure(approveProposal(deps, first, "cli"));
    expect(error.code).toBe("E_CONFLICT");
    expect(store.proposals.get(first)).toMatchObject({ status: "failed", commitSha: null });
  });
});
