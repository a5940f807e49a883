import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { managedRepoPath } from "../../config/index.js";
import { commitAll, ensureRepository, head } from "../../git/index.js";

export const MANAGED_README = `# hob's managed repository

What hob may change about itself, and nothing else. Every change here is a commit made by
applying a self-improvement proposal a human approved (\`git log\` lists them; a proposal is
rolled back by reverting its commit). hob reads this repository live: a process that loads its
config, agents or skills again sees a change without a restart.

- \`agents/<name>.yaml\`: agent definitions (prompt, tools, tier). They win over the built-in
  agents and \`$HOB_HOME/agents\` of the same name.
- \`skills/<name>/\`: Agent Skills folders, validated like every skill. A skill here wins over
  \`$HOB_HOME/skills/<name>\`.
- \`routing.yaml\`: keys of hob.yaml's \`routing:\` block (thresholds, tier mapping), without the
  \`routing:\` line. They win over hob.yaml's.
- \`litellm.yaml\`: a LiteLLM router config (models, fallbacks). Used instead of
  \`$HOB_HOME/config/litellm.yaml\`; \`--router-config\` / \`HOB_ROUTER_CONFIG\` still win.

Never here: hob.yaml, the approval store, the sandbox policy, hob's own source, this
repository's git config or hooks.
`;

/**
 * Creates the managed repository (`$HOB_HOME/managed`) with a README and a first commit, and
 * returns its path. Idempotent: a repository that already has a commit is left as it is.
 */
export async function ensureManagedRepo(home: string): Promise<string> {
  const dir = managedRepoPath(home);
  await ensureRepository(dir);
  if ((await head(dir)) !== undefined) return dir;
  const readme = join(dir, "README.md");
  if (!existsSync(readme)) writeFileSync(readme, MANAGED_README);
  await commitAll(dir, "Create hob's managed repository");
  return dir;
}
