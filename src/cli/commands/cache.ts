import { openContext } from "../context.js";
import { formatInt, plural } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

export async function cacheStatsCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  const { config, store } = await openContext(io, options);
  try {
    const stats = store.responseCache.stats(Date.now());
    if (options.json)
      writeJson(io, { ...stats, enabled: config.config.cache.enabled, ttl_hours: config.config.cache.ttl_hours });
    else {
      io.stdout.write(
        `Cache ${config.config.cache.enabled ? "on" : "off"} · ttl ${config.config.cache.ttl_hours} h · ` +
          `${plural(stats.entries, "entry", "entries")} (${formatInt(stats.expired)} expired) · ${plural(stats.bytes, "byte")} · ` +
          `${plural(stats.hits, "hit")}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}

export async function cacheClearCommand(io: CliIO, options: { json: boolean; expired: boolean }): Promise<number> {
  const { store } = await openContext(io, options);
  try {
    const removed = store.responseCache.clear({ expiredOnly: options.expired, now: Date.now() });
    if (!options.expired) {
      // The semantic cache's pointers to the answers just removed go with them.
      const { clearSemanticCache } = await import("../../memory/index.js");
      await clearSemanticCache(store);
    }
    if (options.json) writeJson(io, { removed });
    else io.stdout.write(`Removed ${plural(removed, "cached response")}.\n`);
    return 0;
  } finally {
    store.close();
  }
}
