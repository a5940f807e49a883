import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadedConfig, loadConfig } from "../src/config/index.js";
import type { StreamPart } from "../src/models/index.js";
import { FakeOllama } from "../test/fakes/ollama.js";

/** A zero-latency fake Ollama answering `text`, and a HOB_HOME whose router has only `local-fast` on it. */
export async function fakeOllamaHome(
  text: string,
): Promise<{ ollama: FakeOllama; config: LoadedConfig; dispose: () => Promise<void> }> {
  const ollama = await FakeOllama.start();
  ollama.setDefault(() => ({ kind: "text", text, chunks: 3 }));
  const home = mkdtempSync(join(tmpdir(), "hob-bench-"));
  mkdirSync(join(home, "config"));
  writeFileSync(
    join(home, "config", "litellm.yaml"),
    "model_list:\n  - model_name: local-fast\n    litellm_params: { model: ollama_chat/qwen3:1.7b }\n",
  );
  const config = loadConfig({ HOB_HOME: home, OLLAMA_HOST: ollama.url });
  return {
    ollama,
    config,
    dispose: async () => {
      await ollama.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function drain(stream: AsyncIterable<StreamPart>): Promise<void> {
  for await (const _ of stream) {
    // consume
  }
}
