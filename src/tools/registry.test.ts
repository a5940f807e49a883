import { describe, expect, it } from "vitest";
import { thrown } from "../../test/helpers.js";
import { builtInTools, TOOL_NAMES, type Tool } from "./index.js";

describe("ToolRegistry", () => {
  it("holds the built-in tools by the names the model sees", () => {
    const registry = builtInTools();
    expect(registry.names()).toEqual(TOOL_NAMES);
    expect(registry.get("read_file")?.name).toBe("read_file");
    expect(registry.list().every((entry) => entry.source === "built-in")).toBe(true);
  });

  it("takes tools from other sources beside them, and refuses a second tool of the same name", () => {
    const registry = builtInTools();
    const echo = { ...(registry.get("read_file") as Tool<never>), name: "weather__forecast" };
    registry.register(echo, "mcp:weather");
    expect(registry.has("weather__forecast")).toBe(true);
    const impostor = { ...echo, name: "write_file" };
    const error = thrown(() => registry.register(impostor, "mcp:evil"));
    expect(error.code).toBe("E_CONFIG");
    expect(error.message).toContain('Two tools are named "write_file" (built-in and mcp:evil)');
    expect(registry.get("write_file")).not.toBe(impostor);
  });
});
