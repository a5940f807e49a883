/**
 * Feature names in words, for `hob route --explain`: "w:refactor" is the word "refactor",
 * "lex:project" the cue group for the user's own code, "k:trace" a pasted stack trace.
 */

const GROUPS: Record<string, string> = {
  "lex:now": "time words (today, latest, morgen…)",
  "lex:web": "look-up words (price, google, sources…)",
  "lex:live": "schedules, releases, rules that change",
  "lex:code": "programming words",
  "lex:files": "file and folder words",
  "lex:all": "many at once (all, every, alle…)",
  "lex:mine": "the user's own (my, mein, mis…)",
  "lex:project": "the user's own code (my app, src/…, *.ts)",
  "lex:rework": "reworking verbs (refactor, migrate, organise…)",
  "lex:longform": "long output (essay, 1500 words, 8-week plan…)",
  "f:url": "a URL",
  "f:path": "a path",
  "f:filename": "a file name",
  "f:code-syntax": "code syntax",
  "f:year": "a year",
  "k:code": "pasted code",
  "k:trace": "a pasted stack trace",
  "k:sql": "pasted SQL",
  "k:data": "pasted JSON/YAML",
  "k:log": "a pasted log",
  "k:listing": "a pasted file listing",
  "k:prose": "pasted text",
};

export function describeFeature(name: string): string {
  if (name.startsWith("m:")) return `in the paste: ${describeFeature(name.slice(2))}`;
  const group = GROUPS[name];
  if (group) return group;
  const [prefix, ...rest] = name.split(":");
  const body = rest.join(":");
  if (prefix === "w") return `"${body}"`;
  if (prefix === "b") return `"${body.replace("_", " ")}"`;
  if (prefix === "c") return `…${body.replace(/\^|\$/g, "")}…`;
  return name;
}
