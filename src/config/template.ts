/** The commented hob.yaml that `hob config init` writes. Every line is a default. */
export const CONFIG_TEMPLATE = `# hob configuration. Every key is optional; these are the defaults.
# Models, retries, timeouts, fallbacks and cooldowns live in litellm.yaml (LiteLLM's format):
# hob ships one; copy it to $HOB_HOME/config/litellm.yaml to change it.
# Environment variables win over this file:
#   ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL (no /v1 at the end), OLLAMA_HOST, HOB_HOME.

anthropic:
  base_url: https://api.anthropic.com
  # api_key: sk-ant-...        # prefer the ANTHROPIC_API_KEY environment variable

ollama:
  host: http://127.0.0.1:11434

routing:
  default_tier: auto           # auto | local-fast | local | fast | smart
  classifier_threshold: 0.8    # below this (calibrated: ~95% right above it), the local model is asked
  llm_threshold: 0.6           # below this, the local model's verdict is not trusted: cloud
  agent_match_threshold: 0.42  # a task this similar to an agent's examples: goes to that agent
  local_classifier: true
  tiers:                       # by complexity, for the built-in agents; others use their YAML tier
    simple:  { code: local, research: local, fileops: local-fast, general: local-fast }
    complex: { code: smart, research: smart, fileops: fast, general: fast }

escalation:
  enabled: true                # re-run on the next tier when a local answer looks unreliable
  self_check: false            # also let the local model grade its own answer
  self_check_threshold: 0.5

cache:
  enabled: true                # exact cache of deterministic (temperature 0) answers
  ttl_hours: 168

temperature: 0
max_output_tokens: 4096
max_retry_delay_ms: 60000      # a longer retry-after counts as a failure

# workspace: ~/projects/notes  # where agents work (default $HOB_HOME/workspace); --workspace wins

research:
  search:
    provider: none             # none | searxng | brave
    # url: http://127.0.0.1:8888   # SearXNG's address (SEARXNG_URL wins)
    # api_key: ...                 # Brave Search API key (BRAVE_API_KEY wins)
  fetch:
    allow_private_hosts: []    # e.g. ["127.0.0.1:8888"]; local and private addresses are refused otherwise
    max_bytes: 2000000
    timeout_ms: 15000

# Which tool calls need a human: allow | ask | deny. The strictest rule that applies wins.
approvals:
  delete: ask
  overwrite: ask               # a file the task did not create
  move_overwrite: ask
  new_domain: ask              # fetch_url from a domain not approved before
  sensitive: ask               # tools an agent's YAML marks sensitive
  self_modification: ask       # creating or changing a skill (ask or deny)
  mcp_tool: ask                # an MCP server's tool not approved with "always" (ask or deny)
  tools: {}                    # per tool, e.g. { fetch_url: deny }
  allowed_domains: []
  ttl_minutes: 60

sandbox:
  mode: bubblewrap             # none runs skills unconfined (not safe; warned on every run)

skills:
  review_threshold: 0.5        # below this success rate over the last runs: needs_review
  review_window: 10
  min_runs: 3
  context_limit: 3             # relevant skills an agent is told about at task start
  timeout_seconds: 30

# What the model is told at task start beyond its agent's prompt, in estimated tokens (errs high).
context:
  budget_tokens: 2000          # the cap over all sections
  sections:
    skills: 800                # relevant skills (at most skills.context_limit of them)
    past_tasks: 700            # similar past tasks and how they went
    facts: 500                 # what you told hob to remember

# Memory: finished tasks and what you tell hob (\`hob memory add "…"\`), recalled into new tasks.
memory:
  enabled: true
  embedder: builtin            # builtin (offline, lexical) | none | ollama/nomic-embed-text | openai/text-embedding-3-small
  store: sqlite                # sqlite (in hob.db) | chroma (a ChromaDB server at chroma_url)
  # chroma_url: http://127.0.0.1:8001
  past_tasks: 5
  facts: 5
  record_tasks: true
  min_similarity: 0.2          # found by vectors alone: recalled at this cosine or more (about 0.5 for ollama models)

# Self-improvement: \`hob serve\` analyses your history on a schedule and proposes changes you approve
# (\`hob proposals list\`). Nothing changes without your approval; every change is a git commit you can roll back.
improve:
  enabled: true
  schedule: "0 */6 * * *"      # cron; every 6 hours
  # timezone: Europe/Berlin    # default: this machine's
  tier: smart                  # the model group that writes proposals needing code
  max_cost_usd_per_run: 0.25   # a run stops proposing once it has spent this
  max_proposals_per_run: 5
  approval_ttl_hours: 168      # an unanswered proposal expires after a week
  min_evidence: 3              # similar tasks or failures that make a finding

# MCP servers whose tools agents may use (an agent's YAML lists them: mcp: [notes]). The shape of
# Claude Code's .mcp.json; \`hob mcp add\` and \`hob mcp import .mcp.json\` write it for you.
# mcp_servers:
#   notes:
#     command: npx
#     args: ["-y", "@example/notes-mcp"]
#     env: { NOTES_TOKEN: "\${NOTES_TOKEN}" }
#     read_only: [search]        # these never ask; every other tool asks until you answer "always"
#   tracker:
#     url: https://mcp.tracker.example/mcp
#     headers: { Authorization: "Bearer \${TRACKER_TOKEN}" }
# Hard spend limits in USD (none by default), counted from every model call's recorded cost.
# A cloud call that could pass one (its worst case: input estimated high, output at max_output_tokens)
# is not made: the task falls back to a local tier, or stops with E_BUDGET. \`hob stats\` shows where you stand.
# budgets:
#   daily_usd: 1.00            # per calendar day in timezone (HOB_BUDGET_DAILY_USD wins)
#   monthly_usd: 20            # per calendar month (HOB_BUDGET_MONTHLY_USD wins)
#   per_task_usd: 0.25         # per task, its resumes included (HOB_BUDGET_PER_TASK_USD wins)
#   timezone: Europe/Berlin    # default: this machine's

# USD per million tokens; adds to or overrides the built-in table.
# pricing:
#   claude-sonnet-4-5: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }
`;
