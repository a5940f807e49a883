import type { ProposalStatus } from "../../store/index.js";
import { openContext } from "../context.js";
import { colorsFor, formatTime, oneLine, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine, safeText } from "../safe.js";

export async function proposalsListCommand(
  io: CliIO,
  options: { json: boolean; status?: ProposalStatus },
): Promise<number> {
  const { store } = await openContext(io, options);
  try {
    const { toProposalJson } = await import("../../shapes/index.js");
    const proposals = store.proposals.list(options.status ? { status: options.status } : {});
    if (options.json) writeJson(io, proposals.map(toProposalJson));
    else if (proposals.length === 0) io.stdout.write("No proposals yet. `hob improve run` looks for some.\n");
    else {
      const c = colorsFor(io.stdout, io.env);
      const idLength = store.proposals.shortIdLength(proposals.map((p) => p.id));
      io.stdout.write(
        `${table([
          ["ID", "STATUS", "KIND", "TITLE", "CREATED (UTC)"].map((h) => c.bold(h)),
          ...proposals.map((p) => [
            p.id.slice(0, idLength),
            p.status,
            p.kind,
            safeLine(oneLine(p.title, 60)),
            formatTime(p.createdAt),
          ]),
        ])}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}

export async function proposalsShowCommand(io: CliIO, id: string, options: { json: boolean }): Promise<number> {
  const { store } = await openContext(io, options);
  try {
    const { toProposalDetailJson } = await import("../../shapes/index.js");
    const proposal = store.proposals.get(id);
    if (options.json) {
      writeJson(io, toProposalDetailJson(proposal));
      return 0;
    }
    const c = colorsFor(io.stdout, io.env);
    // What is shown must be what would be applied: a diff that no longer matches its sealed approval is flagged.
    const { sha256 } = await import("../../improve/index.js");
    const approval = proposal.approvalId ? store.approvals.get(proposal.approvalId) : undefined;
    const altered =
      sha256(proposal.diff) !== proposal.diffSha256 ||
      (approval !== undefined && (!approval.intact || approval.hash !== proposal.diffSha256));
    const lines = [
      ...(altered
        ? [c.red("ALTERED: this proposal no longer matches its sealed approval; it cannot be applied.")]
        : []),
      `${c.bold("Proposal")} ${proposal.id} · ${proposal.status} · ${proposal.kind} · ${formatTime(proposal.createdAt)} UTC`,
      `${c.bold("Title")}      ${safeLine(proposal.title)}`,
      `${c.bold("Files")}      ${proposal.files.map(safeLine).join(", ")}`,
      `${c.bold("SHA-256")}    ${proposal.diffSha256}`,
      ...(proposal.commitSha ? [`${c.bold("Commit")}     ${proposal.commitSha}`] : []),
      ...(proposal.revertSha ? [`${c.bold("Reverted")}   ${proposal.revertSha}`] : []),
      ...(proposal.error ? [`${c.bold("Problem")}    ${c.yellow(safeLine(proposal.error))}`] : []),
      "",
      c.bold("Rationale"),
      safeText(proposal.rationale),
      "",
      c.bold("Evidence"),
      safeText(JSON.stringify(proposal.evidence, null, 2)),
      "",
      c.bold("Validation"),
      ...proposal.validation.map(
        (v) => `  ${v.ok ? c.green("✓") : c.red("✗")} ${safeLine(v.check)}: ${safeLine(v.detail)}`,
      ),
      "",
      c.bold("Diff"),
      // Newlines stay; escapes, bidi and invisible characters are shown, not obeyed.
      safeText(proposal.diff),
    ];
    io.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    store.close();
  }
}

/** approve | reject | rollback: through the approval owner and the managed repository. */
export async function proposalsActCommand(
  io: CliIO,
  action: "approve" | "reject" | "rollback",
  id: string,
  options: { json: boolean },
): Promise<number> {
  const { config, store } = await openContext(io, options);
  try {
    const improve = await import("../../improve/index.js");
    const deps = await improve.applyDeps(config, store, io.env);
    const proposal =
      action === "approve"
        ? await improve.approveProposal(deps, id, "cli")
        : action === "reject"
          ? await improve.rejectProposal(deps, id, "cli")
          : await improve.rollbackProposal(deps, id);
    if (options.json) {
      writeJson(io, {
        id: proposal.id,
        status: proposal.status,
        ...(action === "approve" ? { commit: proposal.commitSha } : {}),
        ...(action === "rollback" ? { commit: proposal.revertSha } : {}),
      });
    } else {
      const what =
        action === "approve"
          ? `Applied as commit ${proposal.commitSha?.slice(0, 12)}; \`hob proposals rollback ${proposal.id}\` undoes it.`
          : action === "reject"
            ? "Rejected."
            : `Rolled back with commit ${proposal.revertSha?.slice(0, 12)}.`;
      io.stdout.write(`${safeLine(proposal.title)}: ${what}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}
