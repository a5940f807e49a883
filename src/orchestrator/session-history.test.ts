import { describe, expect, it } from "vitest";
import { sessionHistory } from "./index.js";

describe("sessionHistory", () => {
  const store = (turns: Record<string, Array<{ input: string; output: string }>>) => ({
    sessionTurns: (id: string) => turns[id] ?? [],
  });

  it("turns each answered turn into a user message and the assistant's answer, oldest first", () => {
    const history = sessionHistory(
      store({
        s1: [
          { input: "capital of Australia?", output: "Canberra." },
          { input: "and its population?", output: "About 460,000." },
        ],
        s2: [{ input: "other session", output: "not this one" }],
      }),
      "s1",
    );
    expect(history).toEqual([
      { role: "user", content: "capital of Australia?" },
      { role: "assistant", content: "Canberra." },
      { role: "user", content: "and its population?" },
      { role: "assistant", content: "About 460,000." },
    ]);
  });

  it("keeps an empty answer as an empty assistant message (the pairs stay in step)", () => {
    expect(sessionHistory(store({ s: [{ input: "hi", output: "" }] }), "s")).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: "" },
    ]);
  });

  it("is empty for a session without answered turns", () => {
    expect(sessionHistory(store({}), "new")).toEqual([]);
  });
});
