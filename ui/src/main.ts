/**
 * The dashboard's entry: theme, nav, log-in (the #token= link or the paste box), then the
 * event stream, the approvals badge and the pages.
 */
import { onUnauthorised } from "./api.js";
import { logIn, renderLogin, takeTokenFromUrl } from "./auth.js";
import { h, replace } from "./dom.js";
import { initNotifications, refreshApprovals } from "./notify.js";
import { approvalsPage } from "./pages/approvals.js";
import { chatPage } from "./pages/chat.js";
import { memoryPage } from "./pages/memory.js";
import { overviewPage } from "./pages/overview.js";
import { proposalsPage } from "./pages/proposals.js";
import { skillsPage } from "./pages/skills.js";
import { taskPage } from "./pages/task.js";
import { tasksPage } from "./pages/tasks.js";
import { Router } from "./router.js";
import { initTheme } from "./theme.js";
import { heading, link } from "./ui.js";
import { events } from "./ws.js";

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

const main = byId<HTMLElement>("main");

const router = new Router(main, ({ root }) => {
  replace(root, heading("Not found"), h("a", { class: link, attrs: { href: "#/" } }, "Back to the overview"));
})
  .add(/^\/$/, "#/", overviewPage)
  .add(/^\/tasks$/, "#/tasks", tasksPage)
  .add(/^\/tasks\/([A-Za-z0-9_-]+)$/, "#/tasks", taskPage)
  .add(/^\/approvals$/, "#/approvals", approvalsPage)
  .add(/^\/proposals$/, "#/proposals", proposalsPage)
  .add(/^\/skills$/, "#/skills", skillsPage)
  .add(/^\/memory$/, "#/memory", memoryPage)
  .add(/^\/chat$/, "#/chat", chatPage)
  .add(/^\/chat\/([A-Za-z0-9_-]+)$/, "#/chat", chatPage);

let loggedIn = false;

function startSession(): void {
  loggedIn = true;
  events.start();
  refreshApprovals();
  router.start();
}

/** No valid session (401 on any request, or the socket closed with 4401). */
function showLogin(error?: unknown): void {
  if (!loggedIn && main.querySelector("[data-testid=login]")) return;
  loggedIn = false;
  router.stop();
  events.stop();
  renderLogin(main, startSession, error);
}

function initNav(): void {
  const button = byId<HTMLButtonElement>("menu-button");
  const nav = byId<HTMLElement>("nav");
  const set = (open: boolean) => {
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("hidden", !open);
  };
  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
  // On a phone the menu closes once a page is chosen.
  nav.addEventListener("click", (event) => {
    const target = (event.target as Element).closest("a");
    if (!target) return;
    set(false);
    // The link to the page already shown reloads it (no hashchange fires for the same hash).
    if (target.getAttribute("href") === (location.hash || "#/")) router.refresh();
  });
  // The skip link must not change the hash (that is the router's): it moves focus instead.
  byId<HTMLAnchorElement>("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
}

function initConnection(): void {
  const label = byId<HTMLElement>("connection");
  events.onState = (state) => {
    label.textContent = state === "live" ? "● live" : state === "connecting" ? "connecting…" : "offline — reconnecting";
  };
  events.onUnauthorised = () => showLogin();
}

async function boot(): Promise<void> {
  initTheme(byId<HTMLButtonElement>("theme-button"));
  initNav();
  initConnection();
  initNotifications(byId("approval-badge"), byId<HTMLButtonElement>("notify-button"));
  onUnauthorised(() => showLogin());
  const token = takeTokenFromUrl();
  if (token) {
    try {
      await logIn(token);
    } catch (error) {
      showLogin(error);
      return;
    }
  }
  startSession();
}

void boot();
