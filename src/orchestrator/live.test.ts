import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers.js";
import { EventBus } from "../events/index.js";
import { commitAll } from "../git/index.js";
import { ensureManagedRepo } from "../improve/managed/index.js"; // test set-up only
import { Store } from "../store/index.js";
import { createLiveOrchestrator } from "./index.js";

let home: string;
let cleanup: () => void;
let store: Store;
const env = () => ({ HOB_HOME: home, OLLAMA_HOST: "http://127.0.0.1:47" });
const threshold = (live: ReturnType<typeof createLiveOrchestrator>) =>
  live.current().config.config.routing.agent_match_threshold;

beforeEach(() => {
  ({ home, cleanup } = tempHome());
  store = Store.open(join(home, "hob.db"));
});
afterEach(() => {
  store.close();
  cleanup();
});

describe("createLiveOrchestrator (a long-running server follows its configuration)", () => {
  it("keeps one orchestrator while nothing changes, and rebuilds when hob.yaml changes", () => {
    const live = createLiveOrchestrator(env(), store, new EventBus());
    const first = live.current().orchestrator;
    expect(live.current().orchestrator).toBe(first);
    expect(threshold(live)).toBe(0.42);
    writeFileSync(join(home, "hob.yaml"), "routing:\n  agent_match_threshold: 0.6\n");
    expect(threshold(live)).toBe(0.6);
    expect(live.current().orchestrator).not.toBe(first);
  });

  it("keeps the last good configuration when the file breaks, and says so once", () => {
    const errors: unknown[] = [];
    const live = createLiveOrchestrator(env(), store, new EventBus(), (error) => errors.push(error));
    writeFileSync(join(home, "hob.yaml"), "routing:\n  agent_match_threshold: 0.55\n");
    expect(threshold(live)).toBe(0.55);
    writeFileSync(join(home, "hob.yaml"), "routing:\n  agent_match_threshold: 7\n");
    expect(threshold(live)).toBe(0.55);
    expect(threshold(live)).toBe(0.55);
    expect(errors).toHaveLength(1);
    writeFileSync(join(home, "hob.yaml"), "routing:\n  agent_match_threshold: 0.3\n");
    expect(threshold(live)).toBe(0.3);
  });

  it("rebuilds when an approved change is committed to the managed repository", async () => {
    const repo = await ensureManagedRepo(home);
    const live = createLiveOrchestrator(env(), store, new EventBus());
    expect(threshold(live)).toBe(0.42);
    writeFileSync(join(repo, "routing.yaml"), "agent_match_threshold: 0.5\n");
    await commitAll(repo, "routing: a higher match threshold");
    expect(threshold(live)).toBe(0.5);
  });
});
