import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
// The one deliberate deep import: a dependency-free leaf, so --help does not load the SQLite driver.
import { TASK_STATUSES } from "../store/task-status.js";
import type { CliIO } from "./io.js";
import { reportError } from "./output.js";

/** Only this file and commander load at start-up; each command's module loads on use. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive whole number.");
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number.");
  return n;
}

export interface GlobalOptions {
  json: boolean;
  verbose: boolean;
  routerConfig?: string;
}

type Action = (io: CliIO, ...args: unknown[]) => Promise<number>;

/** Builds the commander program; actions resolve to the exit code. */
export function buildProgram(io: CliIO, setExitCode: (code: number) => void): Command {
  const program = new Command("hob")
    .description(
      "hob: a personal AI agent. It routes each task to the cheapest model that can do it (local or Claude), " +
        "runs it through a sandboxed agent, and keeps a local history with tokens and cost.",
    )
    .version(version(), "-V, --version", "print the version")
    .option("--verbose", "show stack traces and extra detail on errors", false)
    .option("--router-config <file>", "use this LiteLLM config.yaml as the router config (also HOB_ROUTER_CONFIG)")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ hob run "summarise what a monad is"
  $ hob run --tier smart --json "plan a 3-day trip to Lisbon"
  $ hob route "refactor my express app"
  $ hob run --agent fileops --workspace ~/notes "which notes mention the dentist?"
  $ hob approvals list
  $ hob chat
  $ hob stats --since 7d

Data lives in $HOB_HOME (default ~/.hob). Local models run through Ollama (OLLAMA_HOST);
set ANTHROPIC_API_KEY to use Claude.`,
    );

  const json = () => new Option("--json", "print one JSON object (for scripts)").default(false);

  /** Wraps a lazily imported action so every error becomes a clean message and exit code. */
  const lazy =
    (load: () => Promise<Action>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const options = command.optsWithGlobals() as GlobalOptions;
      // --router-config wins over HOB_ROUTER_CONFIG; config loading reads it from the environment.
      if (options.routerConfig) io.env.HOB_ROUTER_CONFIG = options.routerConfig;
      try {
        const action = await load();
        // Positional arguments, then the options merged with the global ones (--verbose).
        setExitCode(await action(io, ...args.slice(0, -2), options));
      } catch (error) {
        setExitCode(reportError(io, error, options));
      }
    };

  const tier = (what: string) =>
    new Option("--tier <tier>", `${what}: local-fast, local, fast, smart (or any model_name in litellm.yaml)`);

  const model = () =>
    new Option("-m, --model <name>", "use this model: any model_name in litellm.yaml (same as --tier)");

  program
    .command("run")
    .description("run one task and stream the answer")
    .argument("<task...>", 'what to do, e.g. "summarise what a monad is" (use - to read it from stdin)')
    .addOption(tier("force a tier instead of routing"))
    .option(
      "--agent <name>",
      "force an agent: general, fileops, code, research (or one of yours; see `hob agents list`)",
    )
    .addOption(model())
    .option("--workspace <dir>", "the folder the agent may work in (default $HOB_HOME/workspace)")
    .option("--create", "create the --workspace folder if it does not exist", false)
    .option("--no-cache", "do not answer from (or store into) the response cache")
    .option("-q, --quiet", "print only the answer: no spinner, notes or summary (errors still go to stderr)", false)
    .option("-c, --continue", "continue the last chat session, with its context", false)
    .option(
      "--explain",
      "also print what the model was told beyond its prompt: each context section, its tokens, what was recalled",
      false,
    )
    .addOption(json())
    .addHelpText(
      "after",
      '\nExamples:\n  $ hob run "what is the capital of Australia?"\n  $ git diff | hob run "review this change"     # the piped text goes with the task\n  $ git diff | hob run --tier smart -           # - reads the task itself from stdin\n  $ hob run -q -m smart "a haiku about tea" > haiku.txt\n  $ hob run -c "and in French?"                 # continues the last chat\n  $ hob run --json --no-cache "list three prime numbers"',
    )
    .action(lazy(async () => (await import("./commands/run.js")).runCommand as Action));

  program
    .command("route")
    .description("explain which agent and tier would take a task, without running it")
    .argument("<task...>", "the task to route")
    .option(
      "--explain",
      "also show the features that pushed the classifier's verdict, and how much of the task it knew",
    )
    .addOption(json())
    .addHelpText(
      "after",
      '\nExamples:\n  $ hob route --json "refactor my express app to use async/await"\n  $ hob route --explain "add tests to my parser"',
    )
    .action(lazy(async () => (await import("./commands/route.js")).routeCommand as Action));

  program
    .command("chat")
    .description("talk with hob; the conversation carries context (/exit, /stats, /clear, /help)")
    .addOption(tier("force a tier for every turn"))
    .addOption(model())
    .option("-c, --continue", "continue the last chat session, with its context", false)
    .option("-q, --quiet", "no banner, spinner or summaries: only the answers (errors still show)", false)
    .action(lazy(async () => (await import("./commands/chat.js")).chatCommand as Action));

  const approvals = program
    .command("approvals")
    .description("tool calls waiting for a human: list, show, approve (resumes the task) or deny");
  approvals
    .command("list")
    .description("approvals, pending first")
    .option("--all", "include decided, used and expired ones", false)
    .addOption(json())
    .action(lazy(async () => (await import("./commands/approvals.js")).approvalsListCommand as Action));
  approvals
    .command("show")
    .description("exactly what a pending call would do: tool, resolved targets, diff")
    .argument("<id>", "an approval id (or a unique prefix)")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/approvals.js")).approvalsShowCommand as Action));
  approvals
    .command("approve")
    .description("approve one call and resume its task where it stopped")
    .argument("<id>", "an approval id (or a unique prefix)")
    .option("--always", "for an MCP server's tool: also approve its later calls (until its definition changes)", false)
    .addOption(json())
    .action(lazy(async () => (await import("./commands/approvals.js")).approvalsApproveCommand as Action));
  approvals
    .command("deny")
    .description("deny one call; the task resumes and the agent is told it was denied")
    .argument("<id>", "an approval id (or a unique prefix)")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/approvals.js")).approvalsDenyCommand as Action));

  const agentsCommand = program.command("agents").description("the agents hob can run (built-in and yours)");
  agentsCommand
    .command("list")
    .description("every agent with its tier and tools")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/agents.js")).agentsListCommand as Action));
  agentsCommand
    .command("show")
    .description("one agent's full definition")
    .argument("<name>", "the agent's name")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/agents.js")).agentsShowCommand as Action));

  program
    .command("audit")
    .description("every file access agents attempted, allowed or denied, newest first")
    .option("-n, --limit <n>", "how many entries", positiveInt, 50)
    .option("--denied", "only refused accesses", false)
    .option("--task <id>", "only this task's accesses")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/audit.js")).auditCommand as Action));

  const mcp = program
    .command("mcp")
    .description("MCP servers whose tools agents may use: list, tools, test, add, import, remove")
    .addHelpText(
      "after",
      `
Servers live in hob.yaml under mcp_servers (the shape of Claude Code's .mcp.json). An agent sees a
server's tools (as mcp__<server>__<tool>) only when its YAML lists the server: mcp: [name].
Every call of a server's tool asks for approval the first time ("a" at the prompt = always);
read_only: tools never ask, always_ask: tools always do.

Examples:
  $ hob mcp add notes -e NOTES_DIR=~/notes -- npx -y @example/notes-mcp
  $ hob mcp add tracker https://mcp.tracker.example/mcp -H "Authorization: Bearer \${TRACKER_TOKEN}"
  $ hob mcp import .mcp.json
  $ hob mcp test notes
  $ hob mcp tools notes --json`,
    );
  const mcpAction = (load: string) =>
    lazy(async () => (await import("./commands/mcp.js"))[load as "mcpListCommand"] as Action);
  const collect = (value: string, previous: string[]) => [...previous, value];
  mcp
    .command("list")
    .description("the configured servers (nothing is started)")
    .addOption(json())
    .action(mcpAction("mcpListCommand"));
  mcp
    .command("tools")
    .description("start a server, list its tools as the model sees them (with approval status), stop it")
    .argument("<name>", "a server name from hob.yaml's mcp_servers")
    .addOption(json())
    .action(mcpAction("mcpToolsCommand"));
  mcp
    .command("test")
    .description("start a server, list its tools and stop it; a crash or hang is reported naming the server")
    .argument("<name>", "a server name from hob.yaml's mcp_servers")
    .addOption(json())
    .action(mcpAction("mcpTestCommand"));
  mcp
    .command("add")
    .description("add a server to hob.yaml: a command (stdio) or an http(s) URL (Streamable HTTP)")
    .argument("<name>", "its name: letters, digits, _ and -")
    .argument("<command-or-url>", "the program to start, or the server's URL")
    .argument("[args...]", "the program's arguments (put -- before them if they start with -)")
    .option("--transport <kind>", "stdio or http (default: http for a URL, else stdio)")
    .option(
      "-e, --env <KEY=VALUE>",
      "an environment variable for the server (repeatable; $VAR in braces is read from your environment)",
      collect,
      [],
    )
    .option(
      "-H, --header <Name: value>",
      "an HTTP header (repeatable; $VAR in braces is read from your environment)",
      collect,
      [],
    )
    .option("--sandbox", "run the stdio server under bubblewrap, seeing only its --path entries", false)
    .option("--path <path[:rw]>", "a path the sandboxed server may read (or write, with :rw); repeatable", collect, [])
    .option("--network", "let the sandboxed server use the network", false)
    .option(
      "--read-only <tool>",
      "a tool that runs without approval (you declare it harmless); repeatable",
      collect,
      [],
    )
    .option("--always-ask <tool>", "a tool that asks every time, never remembered; repeatable", collect, [])
    .option("--timeout-ms <ms>", "time limit of one tool call", positiveInt)
    .option("--force", "replace a server of the same name", false)
    .addOption(json())
    .action(mcpAction("mcpAddCommand"));
  mcp
    .command("import")
    .description('add every server of a pasted MCP config ({"mcpServers": {…}}: .mcp.json, Claude Desktop, Cursor)')
    .argument("<file>", "the JSON file")
    .option("--force", "replace servers of the same names", false)
    .addOption(json())
    .action(mcpAction("mcpImportCommand"));
  mcp
    .command("remove")
    .description('remove a server from hob.yaml and forget its "always" approvals')
    .argument("<name>")
    .addOption(json())
    .action(mcpAction("mcpRemoveCommand"));

  const skills = program
    .command("skills")
    .description("reusable scripts and instructions: validated, sandboxed, scored");
  const skill = (load: string) =>
    lazy(async () => (await import("./commands/skills.js"))[load as "skillsListCommand"] as Action);
  skills
    .command("list")
    .description("every skill with its status and success record")
    .addOption(json())
    .action(skill("skillsListCommand"));
  skills
    .command("show")
    .description("one skill: its record, recent runs and last validation")
    .argument("<name>")
    .addOption(json())
    .action(skill("skillsShowCommand"));
  skills
    .command("validate")
    .description("run the validation pipeline again (lint, security scan, paths, tests in the sandbox)")
    .argument("<name>")
    .addOption(json())
    .action(skill("skillsValidateCommand"));
  skills
    .command("run")
    .description("run a skill in the sandbox on the workspace")
    .argument("<name>")
    .argument("[args...]", "command-line arguments for the skill")
    .option("--input <json>", "the input object (given to the skill on stdin)")
    .option("--workspace <dir>", "the folder mounted at /workspace")
    .addOption(json())
    .action(skill("skillsRunCommand"));
  skills
    .command("enable")
    .description("make a skill available to agents again")
    .argument("<name>")
    .addOption(json())
    .action(skill("skillsEnableCommand"));
  skills
    .command("disable")
    .description("stop offering a skill to agents")
    .argument("<name>")
    .addOption(json())
    .action(skill("skillsDisableCommand"));
  skills
    .command("remove")
    .description("delete a skill's folder and record")
    .argument("<name>")
    .addOption(json())
    .action(skill("skillsRemoveCommand"));
  skills
    .command("new")
    .description("write a skill template (SKILL.md with the standard header, a script, a test)")
    .argument("<name>", "lowercase letters, digits and dashes")
    .requiredOption("--lang <language>", "python, javascript or bash")
    .addOption(json())
    .action(skill("skillsNewCommand"));
  skills
    .command("add")
    .description("install a third-party skill (a folder, a .zip or a git URL), disabled until you agree")
    .argument("<source>", "a skill folder, a .zip file or a git URL")
    .option("--path <subdir>", "the skill's folder inside a source that holds several (e.g. skills/pdf)")
    .addOption(json())
    .action(skill("skillsAddCommand"));

  const sandbox = program.command("sandbox").description("the OS sandbox that runs code (skills) in isolation");
  sandbox
    .command("exec")
    .description(
      "run a command exactly as a skill would run: no network, read-only system, only the workspace writable",
    )
    .argument("<command...>", "the command and its arguments (put -- before it)")
    .option("--workspace <dir>", "the folder mounted read-write at /workspace (default $HOB_HOME/workspace)")
    .option("--timeout <seconds>", "wall-time limit; everything the command started is killed", positiveNumber, 30)
    .option("--memory <mb>", "address-space limit", positiveNumber, 512)
    .option("--max-processes <n>", "process limit", positiveInt, 64)
    .addOption(json())
    .addHelpText(
      "after",
      "\nExamples:\n  $ hob sandbox exec -- python3 -c 'print(1)'\n  $ hob sandbox exec --timeout 5 --json -- sh -c 'curl https://example.com'",
    )
    .action(lazy(async () => (await import("./commands/sandbox.js")).sandboxExecCommand as Action));

  const cache = program.command("cache").description("the response cache of deterministic answers");
  cache
    .command("stats")
    .description("entries, size, hits and age of the cache")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/cache.js")).cacheStatsCommand as Action));
  cache
    .command("clear")
    .description("delete cached responses")
    .option("--expired", "only the expired ones", false)
    .addOption(json())
    .action(lazy(async () => (await import("./commands/cache.js")).cacheClearCommand as Action));

  program
    .command("history")
    .description("list recent tasks, newest first")
    .option("-n, --limit <n>", "how many tasks", positiveInt, 20)
    .addOption(new Option("--status <status>", "only tasks with this status").choices(TASK_STATUSES))
    .addOption(json())
    .action(lazy(async () => (await import("./commands/history.js")).historyCommand as Action));

  program
    .command("show")
    .description("show one task: input, output, error and every model call")
    .argument("<id>", "a task id or a unique prefix of it (see `hob history`)")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/show.js")).showCommand as Action));

  program
    .command("stats")
    .description("tasks, success rate, calls, tokens and cost per model and per tier")
    .option("--since <when>", "a window like 30m, 24h, 7d, 4w, or a date (2026-11-01); default all time")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/stats.js")).statsCommand as Action));

  program
    .command("doctor")
    .description(
      "check config, router, database, Ollama and its models, the API key and the sandbox, with a fix for each problem",
    )
    .addOption(json())
    .action(lazy(async () => (await import("./commands/doctor.js")).doctorCommand as Action));

  const serve = program
    .command("serve")
    .description(
      "run the web dashboard and API on 127.0.0.1:8000 (API docs at /docs) and self-improvement in the background (analyse the history on improve.schedule) until stopped (SIGTERM, Ctrl-C)",
    )
    .option(
      "--host <host>",
      "address the web server listens on (default 127.0.0.1; anything else is reachable from other machines)",
    )
    .option("--port <port>", "port of the web server (default 8000; 0 picks a free one)")
    .option("--install", "write a systemd user unit (hob.service) that runs `hob serve`, instead of running", false)
    .option("--force", "with --install: replace an existing unit that differs", false)
    .addOption(json())
    .addHelpText(
      "after",
      "\nExamples:\n  $ hob serve                      # runs in this terminal; prints the login link; logs to $HOB_HOME/logs/serve.log\n  $ hob serve token               # the API token, for Authorization: Bearer <token>\n  $ hob serve --install && systemctl --user daemon-reload && systemctl --user enable --now hob",
    )
    .action(lazy(async () => (await import("./commands/serve.js")).serveCommand as Action));
  serve
    .command("token")
    .description("print the web API token ($HOB_HOME/web.token) alone on stdout")
    .option("--rotate", "replace it with a new one: every session and client using the old one is logged out", false)
    .action(lazy(async () => (await import("./commands/serve.js")).serveTokenCommand as Action));

  const improve = program
    .command("improve")
    .description("self-improvement: hob studies its history and proposes changes you approve");
  improve
    .command("status")
    .description("the last analyses, the next scheduled one, and whether `hob serve` is running")
    .option("-n, --limit <n>", "how many runs", positiveInt, 10)
    .addOption(json())
    .action(lazy(async () => (await import("./commands/improve-status.js")).improveStatusCommand as Action));
  improve
    .command("run")
    .description("analyse the history now and propose changes (nothing changes until you approve one)")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/improve-run.js")).improveRunCommand as Action));

  const proposals = program
    .command("proposals")
    .description("changes hob proposes to itself: list, show, approve (commits it), reject, rollback");
  proposals
    .command("list")
    .description("proposals, newest first")
    .addOption(
      new Option("--status <status>", "only proposals with this status").choices([
        "pending",
        "approved",
        "applied",
        "rejected",
        "failed",
        "rolled_back",
      ]),
    )
    .addOption(json())
    .action(lazy(async () => (await import("./commands/proposals.js")).proposalsListCommand as Action));
  proposals
    .command("show")
    .description("the diff, rationale, evidence and validation results of one proposal")
    .argument("<id>", "a proposal id (or a unique prefix)")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/proposals.js")).proposalsShowCommand as Action));
  for (const [action, what] of [
    ["approve", "approve a pending proposal: its diff is committed to the managed repository and takes effect"],
    ["reject", "reject a pending proposal"],
    ["rollback", "undo an applied proposal: its commit is reverted"],
  ] as const) {
    proposals
      .command(action)
      .description(what)
      .argument("<id>", "a proposal id (or a unique prefix)")
      .addOption(json())
      .action(
        lazy(
          async () =>
            ((io: CliIO, id: string, options: { json: boolean }) =>
              import("./commands/proposals.js").then((m) => m.proposalsActCommand(io, action, id, options))) as Action,
        ),
      );
  }

  const memory = program
    .command("memory")
    .description("what hob remembers (finished tasks, what you tell it): add, import, search, forget");
  const memoryKind = () => new Option("--kind <kind>", "only this kind of memory").choices(["task", "fact", "note"]);
  memory
    .command("add")
    .description("remember a fact or note; it is recalled into tasks it fits")
    .argument("<text>", "what to remember")
    .option("--meta <key=value>", "metadata (repeatable), e.g. --meta project=hob", (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .addOption(new Option("--kind <kind>", "fact (default) or note").choices(["fact", "note"]))
    .addOption(json())
    .addHelpText(
      "after",
      '\nExamples:\n  $ hob memory add "My sister\'s birthday is 14 March"\n  $ hob memory add "staging is staging.example.internal" --meta project=shop',
    )
    .action(lazy(async () => (await import("./commands/memory.js")).memoryAddCommand as Action));
  memory
    .command("import")
    .description(
      "remember many notes from a JSON Lines file: one {text, metadata?, created_at?} per line (- reads stdin)",
    )
    .argument("<file>", "a .jsonl file, or - for stdin")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/memory.js")).memoryImportCommand as Action));
  memory
    .command("search")
    .description("what would be recalled for a text, best first, with the score of each signal")
    .argument("<query>", "the text to recall for")
    .option("-k, --k <n>", "how many", (v: string) => Number(v), 5)
    .addOption(memoryKind())
    .addOption(json())
    .action(lazy(async () => (await import("./commands/memory.js")).memorySearchCommand as Action));
  memory
    .command("list")
    .description("the most recent memories")
    .option("--limit <n>", "how many", (v: string) => Number(v), 20)
    .addOption(memoryKind())
    .addOption(json())
    .action(lazy(async () => (await import("./commands/memory.js")).memoryListCommand as Action));
  memory
    .command("forget")
    .description("remove a memory (or everything a task left, with --task) from every store")
    .argument("[id]", "a memory id")
    .option("--task <id>", "forget what this task left")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/memory.js")).memoryForgetCommand as Action));
  memory
    .command("reindex")
    .description("embed every memory again with memory.embedder (after changing it)")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/memory.js")).memoryReindexCommand as Action));
  memory
    .command("status")
    .description("the store, the embedder, and how much is remembered")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/memory.js")).memoryStatusCommand as Action));

  const config = program.command("config").description("show, locate or create the configuration file");
  config
    .command("show")
    .description("print the effective configuration (file + env overrides, secrets hidden)")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/config.js")).configShowCommand as Action));
  config
    .command("path")
    .description("print where hob keeps its config, database and workspace")
    .addOption(json())
    .action(lazy(async () => (await import("./commands/config.js")).configPathCommand as Action));
  config
    .command("init")
    .description("write a commented hob.yaml with the defaults")
    .option("--force", "overwrite an existing file", false)
    .addOption(json())
    .action(lazy(async () => (await import("./commands/config.js")).configInitCommand as Action));

  return program;
}

/** Options of `hob sandbox exec` that take a value (so the value is not mistaken for the command). */
const SANDBOX_VALUE_OPTIONS = new Set(["--workspace", "--timeout", "--memory", "--max-processes"]);

/** The next step after a parsing error: for `sandbox exec`, where the command goes; otherwise the command's help. */
function usageHint(argv: readonly string[], error: CommanderError, commands: readonly string[]): string {
  const words = argv.filter((word) => !word.startsWith("-"));
  const exec = argv.indexOf("exec");
  if (words[0] === "sandbox" && words[1] === "exec" && exec >= 0 && error.code === "commander.unknownOption") {
    const rest = argv.slice(exec + 1);
    let start = 0;
    while (start < rest.length && (rest[start] as string).startsWith("-")) {
      start += SANDBOX_VALUE_OPTIONS.has(rest[start] as string) ? 2 : 1;
    }
    const own = rest.slice(0, start);
    const command = rest.slice(start);
    return `Put the command after --: hob sandbox exec ${[...own, "--", ...command].join(" ")}`;
  }
  const command = words[0] && commands.includes(words[0]) ? `hob ${words[0]} --help` : "hob --help";
  return `See \`${command}\` for the usage.`;
}

/** Runs the CLI; resolves to the process exit code instead of exiting, so tests can call it. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv as string[], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; a bad flag or argument with 1.
      if (error.exitCode === 0) return 0;
      const hint = usageHint(
        argv,
        error,
        program.commands.map((command) => command.name()),
      );
      if (argv.includes("--json")) {
        const { HobError } = await import("../errors/index.js");
        reportError(io, new HobError("E_USAGE", error.message.replace(/^error: /, ""), { hint }), {
          json: true,
          verbose: false,
        });
      } else {
        // Commander printed the error itself; the next step goes under it, as for every hob error.
        io.stderr.write(`  → ${hint}\n`);
      }
      return 2;
    }
    return reportError(io, error, { json: argv.includes("--json"), verbose: argv.includes("--verbose") });
  }
  return exitCode;
}
