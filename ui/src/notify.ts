/**
 * The pending-approvals count (nav badge and document title) and browser notifications.
 * Notifications are asked for only when the user presses the button, never on load.
 */
import { get } from "./api.js";
import type { Approval } from "./types.js";
import { events } from "./ws.js";

const TITLE = "hob";
let badge: HTMLElement | null = null;
let pending = 0;
let timer: number | undefined;

function show(count: number): void {
  pending = count;
  document.title = count > 0 ? `(${count}) ${TITLE}` : TITLE;
  if (!badge) return;
  badge.textContent = count > 0 ? String(count) : "";
  badge.setAttribute("aria-label", `${count} pending approval${count === 1 ? "" : "s"}`);
  badge.classList.toggle("hidden", count === 0);
}

/** Re-counts from the server (soon, coalescing bursts of events). */
export function refreshApprovals(): void {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    get<{ items: Approval[] }>("/api/approvals")
      .then((body) => show(body.items.length))
      .catch(() => {
        // The badge keeps its last count; a 401 is handled by the API client.
      });
  }, 100);
}

export function pendingCount(): number {
  return pending;
}

function setUpButton(button: HTMLButtonElement): void {
  if (!("Notification" in window)) return;
  const update = () => button.classList.toggle("hidden", Notification.permission !== "default");
  update();
  button.addEventListener("click", () => {
    void Notification.requestPermission().then(update);
  });
}

export function initNotifications(badgeElement: HTMLElement, button: HTMLButtonElement): void {
  badge = badgeElement;
  setUpButton(button);
  // Another process (the CLI, a scheduler run) may queue approvals this page hears no event of.
  window.setInterval(() => {
    if (document.visibilityState === "visible") refreshApprovals();
  }, 60_000);
  events.on((event) => {
    if (
      event.type === "approval-requested" ||
      event.type === "approval-decided" ||
      event.type === "approval-used" ||
      event.type === "task-paused"
    ) {
      refreshApprovals();
    }
    if (event.type === "approval-requested" && "Notification" in window && Notification.permission === "granted") {
      const summary = typeof event.summary === "string" ? event.summary : "A task waits for your decision.";
      const note = new Notification("hob: approval needed", { body: summary, tag: String(event.approval_id) });
      note.addEventListener("click", () => {
        window.focus();
        location.hash = "#/approvals";
      });
    }
  });
}
