/**
 * Light and dark: the stored choice if the user made one, else the system's
 * prefers-color-scheme (followed live). Tailwind's `dark:` variant keys on the class.
 */
const KEY = "hob-theme";

function stored(): "dark" | "light" | null {
  try {
    const value = localStorage.getItem(KEY);
    return value === "dark" || value === "light" ? value : null;
  } catch {
    return null;
  }
}

function apply(dark: boolean, button: HTMLButtonElement): void {
  document.documentElement.classList.toggle("dark", dark);
  button.setAttribute("aria-pressed", String(dark));
  button.textContent = dark ? "Light mode" : "Dark mode";
}

export function initTheme(button: HTMLButtonElement): void {
  const system = window.matchMedia("(prefers-color-scheme: dark)");
  apply(stored() ? stored() === "dark" : system.matches, button);
  system.addEventListener("change", () => {
    if (!stored()) apply(system.matches, button);
  });
  button.addEventListener("click", () => {
    const dark = !document.documentElement.classList.contains("dark");
    try {
      localStorage.setItem(KEY, dark ? "dark" : "light");
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
    apply(dark, button);
  });
}
