import { HobError } from "../errors/index.js";

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `--since`: `30m`, `24h`, `7d`, `4w`, an ISO date, or `all`. Returns ms epoch or null. */
export function parseSince(value: string | undefined, now: number): number | null {
  if (value === undefined || value === "all") return null;
  const match = /^(\d{1,7})\s*([mhdw])$/.exec(value.trim());
  if (match) return Math.max(0, now - Number(match[1]) * (UNITS[match[2] as string] as number));
  const date = Date.parse(value);
  if (!Number.isNaN(date) && /^\d{4}-\d{2}-\d{2}/.test(value)) return date;
  throw new HobError("E_USAGE", `--since ${JSON.stringify(value)} is not a window or a date.`, {
    hint: "Use a window like 30m, 24h, 7d or 4w, a date like 2026-11-01, or all.",
  });
}
