/**
 * Who may talk to the agent. Pure functions, decided before any model call or tool run, so a
 * rejected update costs no tokens. Decisions taken here (see the README, Telegram → Decisions):
 * - ids only: `allowFrom` entries are numeric Telegram user ids (a `tg:`/`telegram:` prefix is
 *   accepted); `@usernames` never match, because usernames can be changed and re-registered.
 * - `"*"` means "everyone" only with `dmPolicy: "open"`; it never silently turns pairing off.
 * - `open` with explicit ids in `allowFrom` still restricts to those ids.
 * - a DM pairing approval never grants group access: groups are checked only against `groups`,
 *   `groupPolicy` and `groupAllowFrom` / per-group `allowFrom`.
 */
import { isGroupChat } from "./sessions.ts";

export type DmPolicy = "pairing" | "allowlist" | "open" | "disabled";
export type GroupPolicy = "allowlist" | "open" | "disabled";

export interface AccessConfig {
  dmPolicy: DmPolicy;
  allowFrom: (string | number)[];
  groupPolicy: GroupPolicy;
  groups: Record<string, { enabled?: boolean; requireMention?: boolean; allowFrom?: (string | number)[] }>;
  groupAllowFrom?: (string | number)[];
  requireMention: boolean;
}

export interface AccessInput {
  chatType: string;
  chatId: number;
  senderId: number | undefined;
  /** the message addresses the bot (@mention, reply to the bot, a mention pattern, /cmd@bot) */
  addressed: boolean;
  /** the sender holds an approved DM pairing */
  paired: boolean;
}

export type AccessDecision =
  | { allow: true }
  /** `pair`: answer with a pairing code; `ignore`: drop silently */
  | { allow: false; action: "pair" | "ignore"; reason: string };

export function normalizeId(entry: string | number): string | null {
  const s = String(entry).trim().replace(/^(telegram|tg):/i, "");
  return /^-?\d+$/.test(s) ? String(Number(s)) : null;
}

function listHas(list: (string | number)[] | undefined, id: number | undefined): boolean {
  if (!list || id === undefined) return false;
  const want = String(id);
  return list.some((e) => normalizeId(e) === want);
}

const deny = (action: "pair" | "ignore", reason: string): AccessDecision => ({ allow: false, action, reason });

export function checkAccess(cfg: AccessConfig, input: AccessInput): AccessDecision {
  if (isGroupChat(input.chatType)) return checkGroup(cfg, input);
  if (input.chatType !== "private") return deny("ignore", `chat type ${input.chatType} not supported`);
  return checkDm(cfg, input);
}

function checkDm(cfg: AccessConfig, input: AccessInput): AccessDecision {
  const id = input.senderId;
  if (id === undefined) return deny("ignore", "no sender");
  const explicit = listHas(cfg.allowFrom, id);
  switch (cfg.dmPolicy) {
    case "disabled":
      return deny("ignore", "dmPolicy disabled");
    case "open": {
      const restricted = cfg.allowFrom.some((e) => normalizeId(e) !== null);
      const wildcard = cfg.allowFrom.some((e) => String(e).trim() === "*");
      if (!restricted || wildcard || explicit) return { allow: true };
      return deny("ignore", "not in allowFrom");
    }
    case "allowlist":
      return explicit ? { allow: true } : deny("ignore", "not in allowFrom");
    case "pairing":
      return explicit || input.paired ? { allow: true } : deny("pair", "not paired");
  }
}

function checkGroup(cfg: AccessConfig, input: AccessInput): AccessDecision {
  if (cfg.groupPolicy === "disabled") return deny("ignore", "groupPolicy disabled");
  const entry = cfg.groups[String(input.chatId)] ?? cfg.groups["*"];
  if (entry?.enabled === false) return deny("ignore", "group disabled");
  if (cfg.groupPolicy === "allowlist" && !entry) return deny("ignore", "group not in allowlist");
  const senders = entry?.allowFrom ?? cfg.groupAllowFrom;
  if (senders && senders.length > 0 && !senders.some((e) => String(e).trim() === "*") && !listHas(senders, input.senderId)) {
    return deny("ignore", "sender not in group allowFrom");
  }
  const requireMention = entry?.requireMention ?? cfg.requireMention;
  if (requireMention && !input.addressed) return deny("ignore", "not addressed");
  return { allow: true };
}
