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

  async function init(): Promise<AuthStatus> {
    const code = codeFromHash(win.location.hash);
    if (code !== null || win.location.hash.startsWith("#/login?")) {
      win.history.replaceState(null, "", `${win.location.pathname}#/login`);
    }
    if (code) {
      try {
        await api.exchange(code);
        status.value = "in";
        return status.value;
      } catch (err) {
        error.value = messageOf(err);
      }
    }
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

  return { status, error, init, login, logout, stillAuthenticated };
}

export type Auth = ReturnType<typeof createAuth>;
