/** The session key as the chat.* and sessions.* methods take it, and the lookup they share. */
import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import type { SessionRecord, SessionStore } from "../../../store/types.ts";

export const SessionKeySchema = z.string().min(1).max(512);

/** The stored session, or NotFoundError (-32003) saying how to find the keys there are. */
export async function requireSession(store: SessionStore, sessionKey: string): Promise<SessionRecord> {
  const session = await store.getSession(sessionKey);
  if (!session) throw new NotFoundError(`no session ${sessionKey}; sessions.list shows the sessions there are`);
  return session;
}
