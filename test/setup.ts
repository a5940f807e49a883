// Every test starts with no real credentials and no real home: a test that needs
// either sets it explicitly (to a fake server and a temp directory).
for (const name of [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_BASE_URL",
  "OLLAMA_HOST",
  "HOB_HOME",
  "HTTPS_PROXY",
  "HTTP_PROXY",
]) {
  delete process.env[name];
}
process.env.NO_COLOR = "1";
