/**
 * The app's shared parts, created once in main.ts and provided to every component: the login
 * state, the one RPC connection, and the chat (kept across page changes). Tests provide their own.
 */
import { inject, type InjectionKey } from "vue";
import type { Auth } from "./auth.ts";
import type { Chat } from "./chat.ts";
import type { Connection } from "./connection.ts";

export interface AppContext {
  auth: Auth;
  conn: Connection;
  chat: Chat;
}

export const APP: InjectionKey<AppContext> = Symbol("openclaw-app");

export function useApp(): AppContext {
  const ctx = inject(APP);
  if (!ctx) throw new Error("useApp() outside the dashboard app: provide APP first");
  return ctx;
}
