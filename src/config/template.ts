/** The commented hob.yaml that `hob config init` writes. Every line is a default. */
export const CONFIG_TEMPLATE = `# hob configuration. Every key is optional; these are the defaults.
# Environment variables win over this file:
#   ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL (no /v1 at the end), HOB_HOME.

anthropic:
  base_url: https://api.anthropic.com
  # api_key: sk-ant-...        # prefer the ANTHROPIC_API_KEY environment variable
  timeout_ms: 60000            # wait for the answer to start, and between streamed chunks
  max_retries: 3               # on 408/409/429/5xx/529 and network errors, honouring retry-after
  max_retry_delay_ms: 60000    # a longer retry-after counts as a failure

# Which Claude model each tier uses.
tiers:
  fast: claude-haiku-4-5
  smart: claude-sonnet-4-5

routing:
  default_tier: auto           # auto | fast | smart
  long_task_chars: 600         # longer tasks go to the smart tier
  # smart_keywords: [code, refactor, prove, ...]   # tasks naming one go to the smart tier

max_output_tokens: 4096

# USD per million tokens; adds to or overrides the built-in table.
# pricing:
#   claude-sonnet-4-5: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }
`;
