/**
 * The login endpoints (docs/dashboard.md): same origin only, relative paths, JSON bodies. The
 * session is an HttpOnly cookie the page never sees; nothing here is stored by the page.
 */
export interface SessionInfo {
  authenticated: boolean;
  expiresAt?: number | string;
  scopes?: string[];
}

export class AuthError extends Error {
  override readonly name = "AuthError";
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function post(fetcher: Fetch, path: string, body: unknown): Promise<Response> {
  return fetcher(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function failure(res: Response, fallback: string): Promise<AuthError> {
  let message = fallback;
  try {
    const body = (await res.json()) as { error?: unknown };
    if (typeof body.error === "string" && body.error) message = body.error;
  } catch {
    // not JSON: keep the fallback
  }
  if (res.status === 429) message = `${message} (too many attempts: wait a moment and try again)`;
  return new AuthError(message, res.status);
}

export function authApi(fetcher: Fetch = (i, init) => fetch(i, init)) {
  return {
    async session(): Promise<SessionInfo> {
      const res = await fetcher("/auth/session", { credentials: "same-origin" });
      if (res.status === 401) return { authenticated: false };
      if (!res.ok) throw await failure(res, `the gateway answered ${res.status} to /auth/session`);
      return (await res.json()) as SessionInfo;
    },
    async exchange(code: string): Promise<void> {
      const res = await post(fetcher, "/auth/exchange", { code });
      if (!res.ok) throw await failure(res, "this login link is not valid any more: run `openclaw dashboard` again");
    },
    async login(token: string): Promise<void> {
      const res = await post(fetcher, "/auth/login", { token });
      if (!res.ok) throw await failure(res, res.status === 401 ? "wrong token: use the gateway token (openclaw dashboard prints a login link)" : `login failed (${res.status})`);
    },
    async logout(): Promise<void> {
      await post(fetcher, "/auth/logout", {});
    },
  };
}

export type AuthApi = ReturnType<typeof authApi>;
