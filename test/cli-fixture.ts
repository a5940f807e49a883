/**
 * What the CLI tests over the fake model servers share: the fake Anthropic server (and, if
 * asked, the fake Ollama one) started once per file, and a fresh HOB_HOME with an environment
 * pointing at them for every test. The state is exported as live bindings (`export let`):
 * a test file imports `anthropic`, `home`, `env`… once and always reads the current values.
 * Vitest runs each test file in its own module graph, so no two files share them.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { FakeAnthropic } from "./fakes/anthropic.js";
import { FakeOllama } from "./fakes/ollama.js";
import { tempHome, testEnv } from "./helpers.js";

export let anthropic: FakeAnthropic;
/** Started only by `useFakeModels({ ollama: true })`; then OLLAMA_HOST points at it. */
export let ollama: FakeOllama;
export let home: string;
export let env: NodeJS.ProcessEnv;
let cleanup: (() => void) | undefined;

/**
 * Registers the hooks: the fake servers for the file; a temp home, its environment
 * (`testEnv`) and a reset fake Anthropic for each test. A file's own hooks, registered
 * after this call, run after these (before each) and can use what they set up.
 */
export function useFakeModels(options: { ollama?: boolean } = {}): void {
  beforeAll(async () => {
    anthropic = await FakeAnthropic.start();
    if (options.ollama) ollama = await FakeOllama.start();
  });
  afterAll(async () => {
    await anthropic?.close();
    if (options.ollama) await ollama?.close();
  });
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home, anthropic.url, options.ollama ? { OLLAMA_HOST: ollama.url } : {});
    anthropic.reset();
  });
  afterEach(() => cleanup?.());
}
