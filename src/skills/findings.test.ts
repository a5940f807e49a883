import { describe, expect, it } from "vitest";
import { hiddenCharacterFindings } from "./findings.js";

describe("hidden Unicode in skills", () => {
  it("allows the zero-width joiner inside emoji, and flags it anywhere else", () => {
    // 🧑‍💻 and 👨‍👩‍👧 are spelled with U+200D between pictographs (OpenClaw skills carry such emoji).
    expect(
      hiddenCharacterFindings('emoji: "\u{1F9D1}\u200d\u{1F4BB}" 👨\u200d👩\u200d👧 ❤\ufe0f\u200d🔥', "SKILL.md"),
    ).toEqual([]);
    for (const hidden of ["rm\u200d -rf", "\u{1F9D1}\u200d", "\u200d\u{1F4BB}", "a\u202eb"]) {
      expect(hiddenCharacterFindings(hidden, "SKILL.md"), JSON.stringify(hidden)).toHaveLength(1);
    }
  });
});
