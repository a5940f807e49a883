import type { ErrorCode } from "../errors/index.js";

/**
 * A next step for an error that came without its own hint, so every error object the
 * CLI prints (`{ code, message, hint }`) has one. Specific hints, where the error is
 * built, always win over these.
 */
const GENERIC: Partial<Record<ErrorCode, string>> = {
  E_CONFIG: "Fix the file named above; `hob config init` writes a commented file with every key and its default.",
  E_USAGE: "See `hob --help`, or `hob <command> --help`.",
  E_NOT_FOUND: "`hob history` lists recent tasks; `hob approvals list --all` lists approvals.",
  E_CANCELLED: "The task is recorded as cancelled; run it again to start over.",
  E_INTERRUPTED: "Run the task again; `hob show <id>` has what was saved.",
  E_STORE: "Check that HOB_HOME is writable, or run `hob doctor`.",
  E_SANDBOX: "The agent may only use files inside its workspace; `hob audit --denied` lists refusals.",
  E_APPROVAL: "`hob approvals list` shows what is waiting.",
  E_TOOL: "Run the task again, or see the tool steps with `hob show <id>`.",
  E_MAX_STEPS: "Give the agent a smaller or clearer task, or raise max_steps in its YAML.",
  E_VALIDATION: "Run the task again, or give the agent a clearer task.",
};

export function hintFor(code: string, hint: string | undefined): string {
  if (hint) return hint;
  return GENERIC[code as ErrorCode] ?? "Run `hob doctor` to check the setup, or run again with --verbose for details.";
}
