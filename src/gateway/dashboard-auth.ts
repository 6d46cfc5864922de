/**
 * Dashboard logins: one-time codes and cookie sessions, in the gateway's memory only (a restart
 * logs everyone out). Both are random values handed out once and stored only as their SHA-256
 * digest, so a heap dump or a log line of this state reveals nothing a client could present.
 *
 * - A code (128-bit, base64url) is minted by `dashboard.code` for `openclaw dashboard`, valid for
 *   `codeTtlMs` (60 s), consumed by its first exchange whether or not it has expired. At most
 *   `maxCodes` are outstanding (the oldest goes).
 * - A session (256-bit, base64url: the cookie value) ends after `idleMs` without use (12 h) or
 *   `absoluteMs` after it began (24 h), or on `revoke` (logout). At most `maxSessions` (64) live;
 *   a new one evicts the oldest.
 * - Sockets opened with a session `attach` a closer; when the session ends (revoked, expired in a
 *   `sweep`, evicted) every closer runs, so no socket outlives its session.
 *
 * Time comes from the injected `now` so tests drive expiry with a fake clock.
 */
import { createHash, randomBytes } from "node:crypto";
import { ALL_SCOPES, type Scope } from "./rpc/method.ts";

export interface DashboardAuthOptions {
  now: () => number;
  codeTtlMs: number;
  idleMs: number;
  absoluteMs: number;
  maxSessions: number;
  maxCodes: number;
}

export const DASHBOARD_AUTH_DEFAULTS: DashboardAuthOptions = {
  now: Date.now,
  codeTtlMs: 60_000,
  idleMs: 12 * 3_600_000,
  absoluteMs: 24 * 3_600_000,
  maxSessions: 64,
  maxCodes: 16,
};

/** A live session as callers see it; `id` is the digest (safe to keep and log), never the cookie value. */
export interface DashboardSession {
  id: string;
  scopes: ReadonlySet<Scope>;
  createdAt: number;
  lastUsedAt: number;
  /** when it ends if it keeps being used: the earlier of idle and absolute expiry */
  expiresAt: number;
}

const digest = (value: string): string => createHash("sha256").update(value).digest("base64url");

export class DashboardAuth {
  readonly opts: DashboardAuthOptions;
  /** code digest → expiry */
  readonly #codes = new Map<string, number>();
  /** session digest → session; Map order is creation order (oldest first) */
  readonly #sessions = new Map<string, DashboardSession>();
  readonly #closers = new Map<string, Set<() => void>>();

  constructor(opts: Partial<DashboardAuthOptions> = {}) {
    this.opts = { ...DASHBOARD_AUTH_DEFAULTS, ...opts };
  }

  mintCode(): { code: string; expiresAt: number } {
    const now = this.opts.now();
    this.#dropExpiredCodes(now);
    while (this.#codes.size >= this.opts.maxCodes) this.#codes.delete(this.#codes.keys().next().value!);
    const code = randomBytes(16).toString("base64url");
    const expiresAt = now + this.opts.codeTtlMs;
    this.#codes.set(digest(code), expiresAt);
    return { code, expiresAt };
  }

  /** Consume a code: true once for an unexpired code this gateway minted; the code is gone either way. */
  consumeCode(code: string): boolean {
    if (!code) return false;
    const key = digest(code);
    const expiresAt = this.#codes.get(key);
    this.#codes.delete(key);
    return expiresAt !== undefined && this.opts.now() < expiresAt;
  }

  /** A new session with all scopes (docs/decisions.md: a dashboard session is the operator). Returns the cookie value. */
  createSession(): { value: string; session: DashboardSession } {
    const now = this.opts.now();
    this.sweep();
    while (this.#sessions.size >= this.opts.maxSessions) this.#end(this.#sessions.keys().next().value!);
    const value = randomBytes(32).toString("base64url");
    const session: DashboardSession = { id: digest(value), scopes: ALL_SCOPES, createdAt: now, lastUsedAt: now, expiresAt: 0 };
    session.expiresAt = this.#expiry(session);
    this.#sessions.set(session.id, session);
    return { value, session };
  }

  /** The live session a cookie value names (its idle clock restarted), or null. */
  verify(value: string | null | undefined): DashboardSession | null {
    if (!value) return null;
    return this.touch(digest(value));
  }

  /** Like verify, by digest (a socket checks its session on every frame). An expired session ends here. */
  touch(id: string): DashboardSession | null {
    const s = this.#sessions.get(id);
    if (!s) return null;
    const now = this.opts.now();
    if (now >= this.#expiry(s)) {
      this.#end(id);
      return null;
    }
    s.lastUsedAt = now;
    s.expiresAt = this.#expiry(s);
    return s;
  }

  /** Logout: ends the session a cookie value names and closes its sockets; false when there was none. */
  revoke(value: string | null | undefined): boolean {
    if (!value) return false;
    const id = digest(value);
    if (!this.#sessions.has(id)) return false;
    this.#end(id);
    return true;
  }

  /**
   * Register a socket's closer under its session; returns the detach function (call it when the
   * socket closes). A session that ended since the upgrade checked it (logout in between, expiry)
   * closes the socket at once.
   */
  attach(id: string, close: () => void): () => void {
    const s = this.#sessions.get(id);
    if (!s || this.opts.now() >= this.#expiry(s)) {
      if (s) this.#end(id);
      close();
      return () => {};
    }
    let set = this.#closers.get(id);
    if (!set) this.#closers.set(id, (set = new Set()));
    set.add(close);
    return () => {
      set.delete(close);
      if (set.size === 0 && this.#closers.get(id) === set) this.#closers.delete(id);
    };
  }

  /** End expired sessions (closing their sockets) and forget expired codes. The gateway runs it every minute. */
  sweep(): void {
    const now = this.opts.now();
    this.#dropExpiredCodes(now);
    for (const [id, s] of this.#sessions) if (now >= this.#expiry(s)) this.#end(id);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }
  get codeCount(): number {
    return this.#codes.size;
  }

  #expiry(s: DashboardSession): number {
    return Math.min(s.lastUsedAt + this.opts.idleMs, s.createdAt + this.opts.absoluteMs);
  }

  #dropExpiredCodes(now: number): void {
    for (const [k, exp] of this.#codes) if (now >= exp) this.#codes.delete(k);
  }

  #end(id: string): void {
    this.#sessions.delete(id);
    const closers = this.#closers.get(id);
    this.#closers.delete(id);
    for (const close of closers ?? []) close();
  }
}
