/**
 * The response cache's semantic mode end to end through `hob run`: the embedder is the fake
 * Ollama server's /api/embed (its "meaning" is a normaliser the test sets: case, punctuation
 * and filler words do not matter), answers come from the fake Anthropic server. A rewording
 * of a cached question is answered from the cache; a different question is not; an embedder
 * that fails makes a miss, not a failure; the builtin embedder is refused.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { anthropic, env, home, ollama, useFakeModels } from "./cli-fixture.js";
import { runCli, writeHobConfig } from "./helpers.js";

const FILLER = new Set(["what", "is", "the", "please", "tell", "me", "of"]);

useFakeModels({ ollama: true });
beforeAll(() => {
  ollama.embedAs = (text) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9 ]+/g, " ")
      .split(/\s+/)
      .filter((w) => w && !FILLER.has(w))
      .join(" ");
});
beforeEach(() => {
  writeHobConfig(
    home,
    "memory:\n  embedder: ollama/nomic-embed-text\ncache:\n  semantic:\n    enabled: true\n    threshold: 0.95\n",
  );
});

const ask = (question: string) => runCli(["run", "--agent", "general", "--tier", "fast", question, "--json"], { env });

describe("semantic response cache", () => {
  it("answers a rewording from the cache, and a different question from the model", async () => {
    anthropic.enqueue({ kind: "text", text: "Canberra." });
    const first = await ask("What is the capital of Australia?");
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ output: "Canberra.", cached: false });
    expect(anthropic.messageRequests).toHaveLength(1);

    const reworded = await ask("please tell me: capital of australia");
    expect(reworded.code, reworded.stderr).toBe(0);
    expect(reworded.json()).toMatchObject({ output: "Canberra.", cached: true, cost_usd: 0 });
    expect(anthropic.messageRequests).toHaveLength(1);

    anthropic.enqueue({ kind: "text", text: "Vienna." });
    const other = await ask("What is the capital of Austria?");
    expect(other.json()).toMatchObject({ output: "Vienna.", cached: false });
    expect(anthropic.messageRequests).toHaveLength(2);
    // The embedder saw the questions (and the finished tasks, for memory).
    expect(ollama.embedRequests.length).toBeGreaterThanOrEqual(3);
  });

  it("--no-cache bypasses it; with the embedder down the model answers (a miss, not a failure)", async () => {
    anthropic.enqueue({ kind: "text", text: "Canberra." });
    await ask("What is the capital of Australia?");
    anthropic.enqueue({ kind: "text", text: "Canberra, again." });
    const bypass = await runCli(
      ["run", "--agent", "general", "--tier", "fast", "--no-cache", "capital of australia", "--json"],
      { env },
    );
    expect(bypass.json()).toMatchObject({ output: "Canberra, again.", cached: false });

    // Every embedding call fails (memory's recall, the cache lookup, memory's record of the task).
    for (let i = 0; i < 8; i++) ollama.enqueueEmbed({ kind: "error", status: 500, message: "embedder crashed" });
    anthropic.enqueue({ kind: "text", text: "Canberra, thrice." });
    const down = await ask("the capital of australia please");
    ollama.embedQueue.length = 0;
    expect(down.code, down.stderr).toBe(0);
    expect(down.json()).toMatchObject({ output: "Canberra, thrice.", cached: false });
    // The task says what it could not remember; the answer is not affected.
    expect((down.json() as { memory_warnings?: string[] }).memory_warnings?.[0]).toContain("could not be embedded");
  });

  it("refuses the builtin embedder for it, with a hint", async () => {
    writeHobConfig(home, "memory:\n  embedder: builtin\ncache:\n  semantic:\n    enabled: true\n");
    const res = await ask("anything");
    expect(res.code).not.toBe(0);
    expect(res.json()).toMatchObject({ error: { code: "E_CONFIG" } });
    expect((res.json() as { error: { hint: string } }).error.hint).toContain("ollama/");
    expect(anthropic.messageRequests).toHaveLength(0);
  });
});
