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
  classifier_threshold: 0.7    # below this, the embedded classifier asks the local model
  llm_threshold: 0.6           # below this, the local model's verdict is not trusted: cloud
  local_classifier: true
  tiers:                       # which tier takes a task, by complexity and agent
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

# USD per million tokens; adds to or overrides the built-in table.
# pricing:
#   claude-sonnet-4-5: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }
`;
