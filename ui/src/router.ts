/**
 * Hash routing: #/, #/tasks, #/tasks/<id>, #/approvals, … Each page renders into <main>
 * and gets an AbortSignal that fires when the user leaves it, so its requests and event
 * listeners end with it. A page that throws shows the error instead of a blank screen.
 */
import { replace } from "./dom.js";
import { errorBox } from "./errors.js";
import { loading } from "./ui.js";

export interface PageContext {
  root: HTMLElement;
  params: string[];
  signal: AbortSignal;
}

export type Page = (context: PageContext) => void | Promise<void>;

interface Route {
  pattern: RegExp;
  page: Page;
  /** The nav link that is current on this route. */
  nav: string;
}

export class Router {
  private readonly routes: Route[] = [];
  private current: AbortController | undefined;
  private listening = false;
  private readonly onHashChange = () => {
    this.render(true);
  };

  constructor(
    private readonly root: HTMLElement,
    private readonly notFound: Page,
  ) {}

  add(pattern: RegExp, nav: string, page: Page): this {
    this.routes.push({ pattern, page, nav });
    return this;
  }

  start(): void {
    if (!this.listening) window.addEventListener("hashchange", this.onHashChange);
    this.listening = true;
    this.render(false);
  }

  stop(): void {
    window.removeEventListener("hashchange", this.onHashChange);
    this.listening = false;
    this.current?.abort();
    this.current = undefined;
  }

  /** Re-renders the current route (after an action changed what it shows). */
  refresh(): void {
    this.render(false);
  }

  private render(moved: boolean): void {
    const hash = location.hash || "#/";
    if (!hash.startsWith("#/")) return; // the skip link's #main, or nothing of ours
    const path = hash.slice(1).split("?")[0] ?? "/";
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    let page = this.notFound;
    let params: string[] = [];
    let nav = "";
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (match) {
        page = route.page;
        params = match.slice(1).map((p) => decodeURIComponent(p));
        nav = route.nav;
        break;
      }
    }
    for (const a of document.querySelectorAll<HTMLAnchorElement>("a[data-nav]")) {
      if (a.getAttribute("href") === nav) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    replace(this.root, loading());
    // After a navigation, focus moves to the new content (screen readers announce it; Tab continues from there).
    if (moved) this.root.focus({ preventScroll: false });
    Promise.resolve()
      .then(() => page({ root: this.root, params, signal: controller.signal }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) replace(this.root, errorBox(error));
      });
  }
}
