/**
 * Login state. A one-time code arrives in the fragment (`#/login?code=…`): it is taken out of the
 * address at once (history.replaceState, so it is not kept in history or shown), then exchanged
 * for the session cookie. Otherwise the page asks /auth/session. Nothing is stored by the page.
 */
import { ref } from "vue";
import type { AuthApi } from "../rpc/auth.ts";
import { messageOf } from "../rpc/errors.ts";

export type AuthStatus = "unknown" | "in" | "out";

/** The code of a `#/login?code=…` fragment, or null. */
export function codeFromHash(hash: string): string | null {
  const m = /^#\/login\?(.*)$/.exec(hash);
  if (!m) return null;
  const code = new URLSearchParams(m[1]).get("code");
  return code && /^[A-Za-z0-9_-]{8,128}$/.test(code) ? code : null;
}

export function createAuth(api: AuthApi, win: Pick<Window, "location" | "history"> = window) {
  const status = ref<AuthStatus>("unknown");
  const error = ref<string | null>(null);

  /**
   * A one-time code in the fragment: removed from the address, then exchanged. Returns whether
   * there was one. Called at start and on every hash change (a link opened in a tab that already
   * shows the page changes only the fragment: no reload).
   */
  async function consumeHash(): Promise<boolean> {
    const code = codeFromHash(win.location.hash);
    if (code === null && !win.location.hash.startsWith("#/login?")) return false;
    win.history.replaceState(null, "", `${win.location.pathname}#/login`);
    if (!code) return false;
    try {
      await api.exchange(code);
      error.value = null;
      status.value = "in";
    } catch (err) {
      error.value = messageOf(err);
    }
    return true;
  }

  async function init(): Promise<AuthStatus> {
    await consumeHash();
    if (status.value === "in") return status.value;
    try {
      status.value = (await api.session()).authenticated ? "in" : "out";
    } catch (err) {
      error.value ??= messageOf(err);
      status.value = "out";
    }
    return status.value;
  }

  async function login(token: string): Promise<boolean> {
    error.value = null;
    try {
      await api.login(token);
      status.value = "in";
      return true;
    } catch (err) {
      error.value = messageOf(err);
      return false;
    }
  }

  async function logout(): Promise<void> {
    try {
      await api.logout();
    } finally {
      status.value = "out";
    }
  }

  async function stillAuthenticated(): Promise<boolean> {
    const ok = (await api.session()).authenticated;
    if (!ok) status.value = "out";
    return ok;
  }

  return { status, error, init, consumeHash, login, logout, stillAuthenticated };
}

export type Auth = ReturnType<typeof createAuth>;
