import { randomBytes } from "node:crypto";

/** Short, time-ordered ids: 8 base-36 chars of milliseconds + 4 random. */
export function newId(now: number): string {
  const time = now.toString(36).padStart(9, "0").slice(-9);
  const random = randomBytes(4).readUInt32BE(0).toString(36).padStart(7, "0").slice(-4);
  return `${time}${random}`;
}
