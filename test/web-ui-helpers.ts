/**
 * What the dashboard's browser tests share: Debian's Chromium through playwright-core (no
 * browser download), building the page, and the screenshot folder CI keeps as an artefact.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { REPO_ROOT } from "./helpers.js";

export const SCREENSHOTS = join(REPO_ROOT, "test-artifacts", "screenshots");

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Builds the dashboard into `out` with the real build script (as `npm run build` does). */
export function buildUi(out: string): void {
  execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "build-ui.mjs"), "--out", out], {
    cwd: REPO_ROOT,
    stdio: "pipe",
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
}
