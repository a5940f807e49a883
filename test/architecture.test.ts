/**
 * The house rules, checked on the source itself: rooms import each other only through
 * `index.ts`, without cycles; `store/` and `events/` depend on nothing of ours; the
 * agent loop sees neither the store nor the sandbox; one module writes task, step,
 * call and approval rows (the recorder) and one decides approval state (approvals/).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers.js";

const SRC = join(REPO_ROOT, "src");

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const files = sourceFiles().map((path) => ({
  path: relative(SRC, path),
  room: relative(SRC, path).split("/")[0] as string,
  text: readFileSync(path, "utf8"),
}));

/** Imports of other rooms: `../room/file.js` → { room, file }. */
function roomImports(file: (typeof files)[number]): Array<{ room: string; file: string }> {
  return [...file.text.matchAll(/from "\.\.\/([a-z-]+)\/([^"]+)"/g)].map((m) => ({
    room: m[1] as string,
    file: m[2] as string,
  }));
}

/** Which rooms each room imports (type-only imports included: they are dependencies too). */
function roomGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const edges = graph.get(file.room) ?? new Set<string>();
    for (const target of roomImports(file)) if (target.room !== file.room) edges.add(target.room);
    graph.set(file.room, edges);
  }
  return graph;
}

/**
 * Dependency-free leaves a command loads at start-up without its room's index (which
 * would load the whole room): `hob --help` lists task statuses without opening SQLite.
 */
const START_UP_LEAVES = new Set(["store/task-status.js"]);

describe("the house's structure", () => {
  it("rooms import each other only through index.ts", () => {
    const bypasses = files.flatMap((file) =>
      roomImports(file)
        .filter((target) => target.file !== "index.js" && !START_UP_LEAVES.has(`${target.room}/${target.file}`))
        .map((target) => `${file.path} → ${target.room}/${target.file}`),
    );
    expect(bypasses).toEqual([]);
  });

  it("has no import cycles between rooms", () => {
    const graph = roomGraph();
    const cycles: string[] = [];
    const visit = (room: string, path: string[]) => {
      if (path.includes(room)) {
        cycles.push([...path.slice(path.indexOf(room)), room].join(" → "));
        return;
      }
      for (const next of graph.get(room) ?? []) visit(next, [...path, room]);
    };
    for (const room of graph.keys()) visit(room, []);
    expect(cycles).toEqual([]);
  });

  it("keeps store/ and events/ free of our other rooms, except errors/ for the store", () => {
    const graph = roomGraph();
    expect([...(graph.get("events") ?? [])]).toEqual([]);
    expect([...(graph.get("store") ?? [])].filter((room) => room !== "errors")).toEqual([]);
  });

  it("keeps the agent loop away from the store and the sandbox", () => {
    const graph = roomGraph();
    expect([...(graph.get("agents") ?? [])].filter((room) => room === "store" || room === "sandbox")).toEqual([]);
  });

  it("has one writer of task, step, model-call and approval rows: the recorder", () => {
    const writes =
      /\.(tasks\.(create|setRoute|setStatus|setServed|setWorkspace|saveProgress|finish|setLastSeq)|steps\.insert|modelCalls\.insert|approvals\.(insert|setDecision|markUsed|saveState|clearState))\(/;
    const writers = files.filter((file) => file.room !== "store" && writes.test(file.text)).map((file) => file.path);
    expect(writers).toEqual(["recorder/recorder.ts"]);
  });

  it("has one owner of approval state: only approvals/ publishes approval events", () => {
    const publishers = files
      .filter((file) => file.room !== "events" && /type: "approval-(requested|decided|used)"/.test(file.text))
      .map((file) => file.room);
    expect([...new Set(publishers)]).toEqual(["approvals"]);
  });
});
