/**
 * Memory over each vector store as configured (`memory.store: sqlite | chroma`, a real local
 * ChromaDB server started here): recall is hybrid while the store answers; with Chroma down,
 * search falls back to full text and says why, a new memory is kept (not lost) for a later
 * reindex, and forgetting refuses rather than leave a vector behind; reindex after a change
 * of embedder.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/index.js";
import { createVectorStore, openMemory, spaceName } from "../src/memory/index.js";
import { Store } from "../src/store/index.js";
import { ChromaServer } from "./fakes/chroma.js";
import { tempHome } from "./helpers.js";

let chroma: ChromaServer;
let home: string;
let cleanup: () => void;
let store: Store;

beforeAll(async () => {
  chroma = await ChromaServer.start();
}, 60_000);
afterAll(async () => {
  await chroma.close();
});
beforeEach(() => {
  ({ home, cleanup } = tempHome());
  store = Store.open(join(home, "hob.db"));
});
afterEach(() => {
  store.close();
  cleanup();
});

function memoryWith(yaml: string) {
  writeFileSync(join(home, "hob.yaml"), yaml);
  return openMemory(loadConfig({ HOB_HOME: home }), store, { env: {} });
}

const FACTS = [
  "The staging server is staging.example.internal",
  "My sister's birthday is 14 March",
  "I prefer metric units in every answer",
  "The office wifi network is called hob-guest",
];

describe.each(["sqlite", "chroma"] as const)("memory on the %s store", (kind) => {
  const config = () =>
    `memory:\n  store: ${kind}\n  embedder: builtin\n${kind === "chroma" ? `  chroma_url: ${chroma.url}\n` : ""}`;

  it("recalls by both signals, and forgets from every store", async () => {
    const memory = memoryWith(config());
    try {
      const { ids } = await memory.addMany(FACTS.map((text) => ({ text, kind: "fact" as const })));
      const found = await memory.search("which units do I prefer", { k: 2 });
      expect(found.mode).toBe("hybrid");
      expect(found.warnings).toEqual([]);
      expect(found.items[0]).toMatchObject({ id: ids[2], signals: { vector_rank: 1 } });
      expect(await memory.forget([ids[2] as string])).toBe(1);
      const again = await memory.search("which units do I prefer", { k: 4 });
      expect(again.items.map((i) => i.id)).not.toContain(ids[2]);
      // Nothing is left in the vector store either.
      expect(store.memories.find(ids[2] as string)).toBeUndefined();
      const space = spaceName("builtin/hash-384", 384);
      const vectors =
        kind === "chroma"
          ? await createVectorStore("chroma", { url: chroma.url, space, dimensions: 384 })
          : await createVectorStore("sqlite", { db: store.db, space, dimensions: 384 });
      try {
        expect(await vectors.count()).toBe(3);
      } finally {
        await vectors.close();
      }
    } finally {
      await memory.close();
    }
  });

  it("reindexes after the embedder changes (none → builtin)", async () => {
    const before = memoryWith(`memory:\n  store: ${kind}\n  embedder: none\n`);
    await before.addMany(FACTS.map((text) => ({ text, kind: "fact" as const })));
    expect(store.memories.counts().byEmbedder).toEqual({ "(none)": 4 });
    await before.close();
    const after = memoryWith(config());
    try {
      expect((await after.search("sister birthday", { k: 1 })).items[0]?.signals.vector_rank).toBeNull();
      const progress: number[] = [];
      expect(await after.reindex((done) => progress.push(done))).toEqual({ embedded: 4, total: 4 });
      expect(progress.at(-1)).toBe(4);
      expect(store.memories.counts().byEmbedder).toEqual({ "builtin/hash-384": 4 });
      expect((await after.search("sister birthday", { k: 1 })).items[0]?.signals.vector_rank).toBe(1);
    } finally {
      await after.close();
    }
  });
});

describe("memory with ChromaDB down", () => {
  it("falls back to full text with a clear warning, keeps new memories, refuses to forget half, and recovers", async () => {
    const memory = memoryWith(`memory:\n  store: chroma\n  embedder: builtin\n  chroma_url: ${chroma.url}\n`);
    try {
      const { ids } = await memory.addMany(FACTS.map((text) => ({ text, kind: "fact" as const })));
      await chroma.stop();

      const found = await memory.search("staging server", { k: 3 });
      expect(found.mode).toBe("full-text");
      expect(found.items[0]?.id).toBe(ids[0]);
      expect(found.warnings[0]).toMatchObject({ code: "E_UNAVAILABLE" });
      expect(found.warnings[0]?.message).toContain("full text only");
      expect(found.warnings[0]?.hint).toContain("memory.chroma_url");

      const added = await memory.add({ text: "The dentist is Dr. Okafor on Elm Street", kind: "fact" });
      expect(added.warnings[0]?.message).toContain("could not be embedded");
      expect(added.warnings[0]?.hint).toContain("hob memory reindex");
      expect(store.memories.find(added.id)?.embedder).toBeNull();
      expect((await memory.search("dentist", { k: 1 })).items[0]?.id).toBe(added.id);

      await expect(memory.forget([ids[1] as string])).rejects.toMatchObject({ code: "E_UNAVAILABLE" });
      expect(store.memories.find(ids[1] as string)).toBeDefined();

      await chroma.start();
      expect(await memory.reindex()).toEqual({ embedded: 5, total: 5 });
      const back = await memory.search("dentist on elm street", { k: 1 });
      expect(back.mode).toBe("hybrid");
      expect(back.items[0]).toMatchObject({ id: added.id, signals: { vector_rank: 1 } });
      expect(await memory.forget([ids[1] as string])).toBe(1);
    } finally {
      if (!chroma.running) await chroma.start();
      await memory.close();
    }
  }, 60_000);
});
