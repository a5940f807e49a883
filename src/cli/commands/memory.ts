import { readFileSync } from "node:fs";
import { z } from "zod";
import { HobError } from "../../errors/index.js";
import type { Memory, MemoryWarning } from "../../memory/index.js";
import type { MemoryKind, MemoryMetadata } from "../../store/index.js";
import { openContext } from "../context.js";
import { colorsFor, formatTime, oneLine, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine, safeText } from "../safe.js";

async function withMemory<T>(
  io: CliIO,
  options: { json: boolean },
  work: (memory: Memory, ctx: Awaited<ReturnType<typeof openContext>>) => Promise<T>,
): Promise<T> {
  const ctx = await openContext(io, options);
  const { openMemory } = await import("../../memory/index.js");
  const memory = openMemory(ctx.config, ctx.store, { env: io.env });
  try {
    return await work(memory, ctx);
  } finally {
    await memory.close();
    ctx.store.close();
  }
}

function warn(io: CliIO, warnings: MemoryWarning[]): void {
  const c = colorsFor(io.stderr, io.env);
  for (const w of warnings) io.stderr.write(`${c.yellow("warning:")} ${w.message}${w.hint ? `\n  ${w.hint}` : ""}\n`);
}

/** `--meta key=value` (repeatable): numbers and true/false keep their type, the rest are strings. */
export function parseMeta(pairs: string[] = []): MemoryMetadata {
  const metadata: MemoryMetadata = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const key = pair.slice(0, at).trim();
    if (at <= 0 || !/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(key)) {
      throw new HobError("E_USAGE", `--meta ${JSON.stringify(pair)} is not key=value.`, {
        hint: "Give --meta project=hob (a key of letters, digits, _ . -, then =, then the value).",
      });
    }
    const value = pair.slice(at + 1);
    metadata[key] = /^-?\d+(\.\d+)?$/.test(value)
      ? Number(value)
      : value === "true"
        ? true
        : value === "false"
          ? false
          : value;
  }
  return metadata;
}

export async function memoryAddCommand(
  io: CliIO,
  text: string,
  options: { json: boolean; meta?: string[]; kind?: "fact" | "note" },
): Promise<number> {
  const metadata = parseMeta(options.meta);
  return withMemory(io, options, async (memory) => {
    const { id, warnings } = await memory.add({ text, kind: options.kind ?? "fact", metadata });
    if (options.json) writeJson(io, { id, ...(warnings.length > 0 ? { warnings } : {}) });
    else {
      warn(io, warnings);
      io.stdout.write(`Remembered (${id}).\n`);
    }
    return 0;
  });
}

const ImportLine = z.strictObject({
  text: z.string().trim().min(1, "text is empty").max(20_000),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  created_at: z.union([z.string(), z.number()]).optional().describe("ISO 8601 or ms since 1970"),
  kind: z.enum(["fact", "note"]).optional(),
});

/** Every line is checked before anything is stored: a bad line names its number, and nothing is imported. */
export async function memoryImportCommand(io: CliIO, file: string, options: { json: boolean }): Promise<number> {
  let content: string;
  try {
    content = file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  } catch (error) {
    throw new HobError("E_USAGE", `Cannot read ${file}: ${(error as Error).message}.`, {
      hint: 'Give a JSON Lines file: one {"text": "…", "metadata"?: {…}, "created_at"?: "…"} per line.',
    });
  }
  const inputs = content.split(/\r?\n/).flatMap((line, i) => {
    if (line.trim().length === 0) return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new HobError("E_USAGE", `${file} line ${i + 1} is not JSON.`, {
        hint: 'Each line is one object: {"text": "…"}. Nothing was imported.',
      });
    }
    const parsed = ImportLine.safeParse(value);
    if (!parsed.success) {
      throw new HobError(
        "E_USAGE",
        `${file} line ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join(".") || "line"}: ${x.message}`).join("; ")}.`,
        {
          hint: 'Each line is {"text": "…", "metadata"?: {…}, "created_at"?: "2026-01-31T10:00:00Z"}. Nothing was imported.',
        },
      );
    }
    const at = parsed.data.created_at;
    const createdAt = at === undefined ? undefined : typeof at === "number" ? at : Date.parse(at);
    // From 1970 to a day from now: a later date would count as the most recent for ever.
    if (
      createdAt !== undefined &&
      (!Number.isInteger(createdAt) || createdAt < 0 || createdAt > Date.now() + 86_400_000)
    ) {
      throw new HobError("E_USAGE", `${file} line ${i + 1}: created_at ${JSON.stringify(at)} is not a date.`, {
        hint: "Use ISO 8601 (2026-01-31 or 2026-01-31T10:00:00Z) or whole milliseconds since 1970, not in the future. Nothing was imported.",
      });
    }
    return [
      {
        text: parsed.data.text,
        kind: (parsed.data.kind ?? "note") as MemoryKind,
        ...(parsed.data.metadata ? { metadata: parsed.data.metadata } : {}),
        ...(createdAt !== undefined ? { createdAt } : {}),
      },
    ];
  });
  return withMemory(io, options, async (memory) => {
    const progress = !options.json && io.stderr.isTTY;
    const result = await memory.addMany(inputs, (done, total) => {
      if (progress) io.stderr.write(`\rembedding ${done}/${total}`);
    });
    if (progress) io.stderr.write("\n");
    if (options.json) {
      writeJson(io, {
        imported: result.ids.length,
        embedded: result.embedded,
        ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
      });
    } else {
      warn(io, result.warnings);
      io.stdout.write(`Imported ${result.ids.length} memories (${result.embedded} embedded).\n`);
    }
    return 0;
  });
}

export async function memorySearchCommand(
  io: CliIO,
  query: string,
  options: { json: boolean; k: number; kind?: MemoryKind },
): Promise<number> {
  if (!Number.isInteger(options.k) || options.k < 1 || options.k > 100) {
    throw new HobError("E_USAGE", `--k ${options.k} is not a number from 1 to 100.`, { hint: "Give --k 5." });
  }
  return withMemory(io, options, async (memory) => {
    const result = await memory.search(query, { k: options.k, ...(options.kind ? { kinds: [options.kind] } : {}) });
    const memoryJson = await import("../../memory/index.js");
    if (options.json) {
      writeJson(io, {
        items: result.items.map(memoryJson.toRecalledJson),
        mode: result.mode,
        ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
      });
      return 0;
    }
    warn(io, result.warnings);
    if (result.items.length === 0) {
      io.stdout.write(
        'Nothing recalled. `hob memory add "…"` remembers something; finished tasks are remembered too.\n',
      );
      return 0;
    }
    const c = colorsFor(io.stdout, io.env);
    const fmt = (v: number | null, digits = 3) => (v === null ? "–" : v.toFixed(digits));
    io.stdout.write(
      `${table([
        ["ID", "KIND", "SCORE", "TEXT#", "VEC#", "COSINE", "RECENCY", "OUTCOME", "TEXT"].map((h) => c.bold(h)),
        ...result.items.map((r) => [
          r.id,
          r.kind,
          r.score.toFixed(4),
          r.signals.fts_rank === null ? "–" : String(r.signals.fts_rank),
          r.signals.vector_rank === null ? "–" : String(r.signals.vector_rank),
          fmt(r.signals.cosine),
          fmt(r.signals.recency, 2),
          r.signals.outcome.toFixed(2),
          safeLine(oneLine(r.text, 60)),
        ]),
      ])}\n${c.dim(`${result.mode}: TEXT# and VEC# are the ranks in the full-text and vector lists, fused by reciprocal rank, then weighted by recency and outcome.`)}\n`,
    );
    return 0;
  });
}

export async function memoryForgetCommand(
  io: CliIO,
  id: string | undefined,
  options: { json: boolean; task?: string },
): Promise<number> {
  if ((id === undefined) === (options.task === undefined)) {
    throw new HobError(
      "E_USAGE",
      id === undefined ? "Give a memory id or --task <id>." : "Give a memory id or --task <id>, not both.",
      {
        hint: "hob memory forget <id>, or hob memory forget --task <task id> for what a task left.",
      },
    );
  }
  return withMemory(io, options, async (memory, { store }) => {
    let removed: number;
    if (options.task) {
      const task = store.tasks.get(options.task);
      removed = await memory.forgetTask(task.id);
    } else {
      store.memories.get(id as string); // E_NOT_FOUND with a hint
      removed = await memory.forget([id as string]);
    }
    if (options.json) writeJson(io, { forgotten: removed });
    else io.stdout.write(`Forgot ${removed} ${removed === 1 ? "memory" : "memories"} (from every store).\n`);
    return 0;
  });
}

export async function memoryListCommand(
  io: CliIO,
  options: { json: boolean; limit: number; kind?: MemoryKind },
): Promise<number> {
  const { store } = await openContext(io, options);
  try {
    const items = store.memories.list({ limit: options.limit, ...(options.kind ? { kind: options.kind } : {}) });
    if (options.json) {
      const { toMemoryJson } = await import("../../memory/index.js");
      writeJson(io, { items: items.map(toMemoryJson) });
      return 0;
    }
    if (items.length === 0) {
      io.stdout.write('Nothing remembered yet. `hob memory add "…"` or finish a task.\n');
      return 0;
    }
    const c = colorsFor(io.stdout, io.env);
    io.stdout.write(
      `${table([
        ["ID", "KIND", "CREATED (UTC)", "TEXT"].map((h) => c.bold(h)),
        ...items.map((m) => [m.id, m.kind, formatTime(m.createdAt), safeLine(oneLine(m.text, 70))]),
      ])}\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}

export async function memoryReindexCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  return withMemory(io, options, async (memory) => {
    const progress = !options.json && io.stderr.isTTY;
    const result = await memory.reindex((done, total) => {
      if (progress) io.stderr.write(`\rembedding ${done}/${total}`);
    });
    if (progress) io.stderr.write("\n");
    if (options.json) writeJson(io, { ...result, embedder: memory.embedderName });
    else io.stdout.write(`Embedded ${result.embedded} of ${result.total} memories with ${memory.embedderName}.\n`);
    return 0;
  });
}

export async function memoryStatusCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  const { withoutCredentials } = await import("../../memory/index.js");
  return withMemory(io, options, async (memory, { config }) => {
    const status = memory.status();
    const stale = Object.entries(status.counts.byEmbedder)
      .filter(([name]) => name !== status.embedder)
      .reduce((sum, [, n]) => sum + n, 0);
    const body = {
      enabled: config.config.memory.enabled,
      store: config.config.memory.store,
      ...(config.config.memory.store === "chroma"
        ? { chroma_url: withoutCredentials(config.config.memory.chroma_url) }
        : {}),
      embedder: status.embedder,
      total: status.counts.total,
      by_kind: status.counts.byKind,
      by_embedder: status.counts.byEmbedder,
      needs_reindex: status.embedder !== "none" && stale > 0 ? stale : 0,
    };
    if (options.json) writeJson(io, body);
    else {
      io.stdout.write(
        `${safeText(
          [
            `memory     ${body.enabled ? "on" : "off (memory.enabled: false)"}`,
            `store      ${body.store}${body.chroma_url ? ` at ${body.chroma_url}` : " (in hob.db)"}`,
            `embedder   ${body.embedder}`,
            `remembered ${body.total} (${
              Object.entries(body.by_kind)
                .map(([k, n]) => `${n} ${k}`)
                .join(", ") || "none"
            })`,
            ...(body.needs_reindex > 0
              ? [`${body.needs_reindex} not embedded with ${body.embedder}: run hob memory reindex`]
              : []),
          ].join("\n"),
        )}\n`,
      );
    }
    return 0;
  });
}
