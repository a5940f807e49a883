export type Severity = "blocking" | "warning";

export interface Finding {
  check: "manifest" | "lint" | "security" | "unicode" | "paths" | "tests";
  rule: string;
  severity: Severity;
  message: string;
  file?: string;
  line?: number;
}

/** A string literal a scanner found, for the path and secret checks. */
export interface LiteralString {
  value: string;
  line: number;
}

/** What a language scanner reports: rule hits on the syntax tree, and the string literals. */
export interface ScanResult {
  hits: Array<{ rule: string; line: number; detail: string }>;
  strings: LiteralString[];
}

const RULES: Record<string, { message: string; networkOnly?: boolean; severity?: Severity }> = {
  "network-library": { message: "uses a network library, but the skill declares no network", networkOnly: true },
  "network-command": { message: "runs a network command, but the skill declares no network", networkOnly: true },
  "process-spawn": { message: "spawns processes" },
  "dynamic-code": { message: "runs dynamically built code (eval/exec and the like)" },
  "obfuscated-exec": { message: "decodes a payload and executes it" },
  "secret-env": { message: "reads a credential from the environment" },
  "secret-file": { message: "reads a secret file (SSH keys, .env, cloud credentials)" },
  "pipe-to-shell": { message: "pipes a download into a shell (curl | sh)" },
  destructive: { message: "runs a destructive command" },
  "native-code": { message: "loads native code (ctypes/cffi)" },
  "encoded-payload": { message: "contains a long encoded blob", severity: "warning" },
  "dynamic-import": { message: "imports a module chosen at run time", severity: "warning" },
};

/** Turns scanner hits into findings; network hits only count when the skill declares no network. */
export function securityFindings(scan: ScanResult, file: string, networkAllowed: boolean): Finding[] {
  return scan.hits.flatMap((hit) => {
    const rule = RULES[hit.rule];
    if (!rule || (rule.networkOnly && networkAllowed)) return [];
    return [
      {
        check: "security" as const,
        rule: hit.rule,
        severity: rule.severity ?? "blocking",
        message: `${rule.message}: ${hit.detail}`,
        file,
        line: hit.line,
      },
    ];
  });
}

const SECRET_FILE =
  /(^|\/)(\.ssh\/|id_rsa|id_ed25519|id_ecdsa|\.aws\/credentials|\.netrc|\.git-credentials|\.docker\/config\.json|\.kube\/config)|^\/etc\/shadow$|(^|\/)\.env(\.|$)/;
const PIPE_TO_SHELL = /\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(ba|z|da)?sh\b/;
const DESTRUCTIVE = /\brm\s+-[a-z]*r[a-z]*f?[a-z]*\s+(\/|~|\$HOME)(\s|$|\*)|\bmkfs(\.\w+)?\b|\bdd\s+[^|]*of=\/dev\//;
const EXCLUDING = /^--?[\w-]*(exclude|ignore)[\w-]*=/i;
const ENCODED = /^[A-Za-z0-9+/]{160,}={0,2}$/;

/** Checks on string literals: secrets, curl | sh hidden in strings, destructive commands, encoded blobs. */
export function stringHits(strings: LiteralString[]): ScanResult["hits"] {
  const hits: ScanResult["hits"] = [];
  for (const { value, line } of strings) {
    // `--exclude='.env'` names a file to leave out, not one to read.
    if (SECRET_FILE.test(value) && !EXCLUDING.test(value))
      hits.push({ rule: "secret-file", line, detail: value.slice(0, 80) });
    if (PIPE_TO_SHELL.test(value)) hits.push({ rule: "pipe-to-shell", line, detail: value.slice(0, 80) });
    if (DESTRUCTIVE.test(value)) hits.push({ rule: "destructive", line, detail: value.slice(0, 80) });
    if (ENCODED.test(value.replace(/\s+/g, "")))
      hits.push({ rule: "encoded-payload", line, detail: `${value.length} characters` });
  }
  return hits;
}

const ALLOWED_ABSOLUTE =
  /^\/(workspace|tmp|skill)(\/|$)|^\/dev\/(null|stdin|stdout|stderr|urandom)$|^\/usr\/bin\/env$|^\/bin\/(ba)?sh$/;

/** Every literal path must stay inside the workspace (or the skill's own folder and /tmp). */
export function pathFindings(strings: LiteralString[], file: string): Finding[] {
  const findings: Finding[] = [];
  for (const { value, line } of strings) {
    const candidate = value.trim();
    // What comes before a shell variable is literal: "/etc/$F" names /etc, "$TEMP_DIR/x" names no absolute path.
    const literal = candidate.split("$")[0] as string;
    const absolute = /^\/[\w.-]+(\/[\w.-]*)*$/.test(literal) && !ALLOWED_ABSOLUTE.test(literal);
    const home = /^~(\/|$)/.test(candidate) || candidate.startsWith("$HOME");
    const escapes = /(^|\/)\.\.(\/|$)/.test(candidate) && /\//.test(candidate);
    if (absolute || home || escapes) {
      findings.push({
        check: "paths",
        rule: "path-outside-workspace",
        severity: "blocking",
        message: `the literal path "${candidate.slice(0, 80)}" is outside the workspace (use paths relative to /workspace)`,
        file,
        line,
      });
    }
  }
  return findings;
}

/** Bidirectional controls, zero-width and tag characters: invisible to a reviewer, visible to a parser. */
const HIDDEN = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\u{e0000}-\u{e007f}]/gu;

/**
 * A zero-width joiner between two pictographs is how emoji such as 🧑‍💻 are spelled (skills
 * from OpenClaw carry them in their metadata); only a joiner anywhere else is hidden text.
 */
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/gu;

export function hiddenCharacterFindings(text: string, file: string): Finding[] {
  const findings: Finding[] = [];
  text.split("\n").forEach((original, i) => {
    const lineText = original.replace(EMOJI_JOINER, "");
    const found = [...lineText.matchAll(HIDDEN)];
    if (i === 0 && found.length === 1 && found[0]?.[0] === "\ufeff" && found[0].index === 0) return; // a BOM
    if (found.length === 0) return;
    const escaped = lineText.replace(
      HIDDEN,
      (c) => `<U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}>`,
    );
    findings.push({
      check: "unicode",
      rule: "hidden-unicode",
      severity: "blocking",
      message: `hidden Unicode characters: ${escaped.slice(0, 160)}`,
      file,
      line: i + 1,
    });
  });
  return findings;
}
