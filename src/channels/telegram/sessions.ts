/**
 * Telegram chat → agent session key. Keys follow OpenClaw so sessions carry over:
 *   DM, dmScope "main"                    agent:<agentId>:<mainKey>
 *   DM, "per-peer"                        agent:<agentId>:direct:<userId>   (one session per sender, across channels)
 *   DM, "per-channel-peer"                agent:<agentId>:telegram:direct:<userId>
 *   DM, "per-account-channel-peer"        agent:<agentId>:telegram:<accountId>:direct:<userId>
 * (`direct`, as OpenClaw writes them: a key `openclaw migrate` imports keeps its history here.)
 *   group / supergroup                    agent:<agentId>:telegram:group:<chatId>
 *   forum topic                           …:topic:<threadId> appended to the group key
 */
export type DmScope = "main" | "per-peer" | "per-channel-peer" | "per-account-channel-peer";

export interface SessionTarget {
  agentId: string;
  mainKey: string;
  dmScope: DmScope;
  accountId?: string;
  chatType: string;
  chatId: number;
  userId?: number;
  /** message_thread_id of a forum topic (only used for groups) */
  threadId?: number;
}

export function isGroupChat(chatType: string): boolean {
  return chatType === "group" || chatType === "supergroup";
}

export function telegramSessionKey(t: SessionTarget): string {
  const base = `agent:${t.agentId}`;
  if (isGroupChat(t.chatType) || t.chatType === "channel") {
    const group = `${base}:telegram:group:${t.chatId}`;
    return t.threadId !== undefined ? `${group}:topic:${t.threadId}` : group;
  }
  const peer = t.userId ?? t.chatId;
  switch (t.dmScope) {
    case "main":
      return `${base}:${t.mainKey}`;
    case "per-peer":
      return `${base}:direct:${peer}`;
    case "per-channel-peer":
      return `${base}:telegram:direct:${peer}`;
    case "per-account-channel-peer":
      return `${base}:telegram:${t.accountId ?? "default"}:direct:${peer}`;
  }
}
