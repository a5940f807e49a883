/**
 * Logging in. The link `hob serve` prints carries the token in the fragment (#token=…),
 * which browsers never send to a server or a Referer. We take it out of the address bar
 * at once (history.replaceState), trade it for an HttpOnly session cookie, and keep it
 * nowhere: not in storage, not in a query string, not in a log.
 */
import { post } from "./api.js";
import { h, replace } from "./dom.js";
import { errorBox } from "./errors.js";
import { btnPrimary, card, input, muted } from "./ui.js";

/** The token from a #token=… fragment, removed from the URL; null when there is none. */
export function takeTokenFromUrl(): string | null {
  const hash = location.hash;
  if (!hash.startsWith("#token=")) return null;
  const token = decodeURIComponent(hash.slice("#token=".length));
  history.replaceState(null, "", `${location.pathname}${location.search}#/`);
  return token || null;
}

export async function logIn(token: string): Promise<void> {
  await post<{ ok: true }>("/api/session", { token: token.trim() });
}

/** The screen shown when there is no valid session (first visit, expiry, rotated token). */
export function renderLogin(root: HTMLElement, onLoggedIn: () => void, error?: unknown): void {
  const field = h("input", {
    class: input,
    attrs: {
      id: "token-input",
      type: "password",
      autocomplete: "off",
      spellcheck: "false",
      required: true,
      "aria-describedby": "token-help",
    },
  });
  const status = h("div", { attrs: { "aria-live": "polite" } }, error ? errorBox(error) : null);
  const submit = h("button", { class: btnPrimary, attrs: { type: "submit" } }, "Log in");
  const form = h(
    "form",
    {
      class: "mt-4 flex flex-col gap-2 sm:flex-row",
      on: {
        submit: (event) => {
          event.preventDefault();
          submit.disabled = true;
          logIn(field.value)
            .then(() => {
              field.value = "";
              onLoggedIn();
            })
            .catch((failure: unknown) => replace(status, errorBox(failure)))
            .finally(() => {
              submit.disabled = false;
            });
        },
      },
    },
    h("label", { class: "sr-only", attrs: { for: "token-input" } }, "Token"),
    field,
    submit,
  );
  replace(
    root,
    h(
      "section",
      { class: `${card} mx-auto max-w-xl`, attrs: { "aria-labelledby": "login-title", "data-testid": "login" } },
      h("h1", { class: "text-xl font-semibold", attrs: { id: "login-title" } }, "Log in again"),
      h(
        "p",
        { class: `mt-2 ${muted}`, attrs: { id: "token-help" } },
        "Your session has ended or this browser has none. Open the link `hob serve` printed, or run ",
        h("code", { class: "font-mono" }, "hob serve token"),
        " and paste the token here.",
      ),
      form,
      status,
    ),
  );
  field.focus();
}
