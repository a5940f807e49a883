/**
 * Calendar days and months in a time zone, as epoch milliseconds. A budget's day starts at local
 * midnight and its month at midnight on the 1st, in `budgets.timezone` (default: this machine's),
 * so a limit resets when the user's day does, daylight saving time included.
 */
export interface BudgetPeriods {
  timezone: string;
  dayStart: number;
  dayEnd: number;
  monthStart: number;
  monthEnd: number;
}

export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall clock in the zone at `at`: year, month (1–12), day, hour, minute, second. */
function wallClock(at: number, timezone: string): number[] {
  const parts: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(at)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second] as number[];
}

/** How far the zone's wall clock is ahead of UTC at `at`, in ms. */
function offsetAt(at: number, timezone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(at, timezone) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(at / 1000) * 1000;
}

/** The instant the zone's wall clock shows midnight on this date (month may overflow: 13 is next January). */
function localMidnight(year: number, month: number, day: number, timezone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  // The offset at the guess, then at the result: right across a DST change on either side.
  let at = wall - offsetAt(wall, timezone);
  at = wall - offsetAt(at, timezone);
  return at;
}

export function budgetPeriods(now: number, timezone: string = machineTimeZone()): BudgetPeriods {
  const [year, month, day] = wallClock(now, timezone) as [number, number, number];
  return {
    timezone,
    dayStart: localMidnight(year, month, day, timezone),
    dayEnd: localMidnight(year, month, day + 1, timezone),
    monthStart: localMidnight(year, month, 1, timezone),
    monthEnd: localMidnight(year, month + 1, 1, timezone),
  };
}
