/**
 * Light / dark: follows prefers-color-scheme until the toggle is used; the choice is kept in
 * sessionStorage (the only thing the page stores) and set as `data-theme` on <html>.
 */
import { ref } from "vue";

export type Theme = "light" | "dark";
const KEY = "openclaw.theme";

function initial(): Theme {
  try {
    const saved = sessionStorage.getItem(KEY);
    if (saved === "light" || saved === "dark") return saved;
  } catch {
    // storage refused: follow the system
  }
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

const theme = ref<Theme>("light");
let ready = false;

function apply(t: Theme) {
  theme.value = t;
  document.documentElement.dataset.theme = t;
}

export function useTheme() {
  if (!ready) {
    ready = true;
    apply(initial());
  }
  function toggle() {
    const next: Theme = theme.value === "dark" ? "light" : "dark";
    apply(next);
    try {
      sessionStorage.setItem(KEY, next);
    } catch {
      // not remembered: fine
    }
  }
  return { theme, toggle };
}
