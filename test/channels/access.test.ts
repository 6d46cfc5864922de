import { describe, expect, test } from "bun:test";
import { checkAccess, type AccessConfig, type AccessInput } from "../../src/channels/telegram/access.ts";
import { compilePatterns, isAddressed } from "../../src/channels/telegram/mention.ts";
import { telegramSessionKey } from "../../src/channels/telegram/sessions.ts";

const base: AccessConfig = { dmPolicy: "pairing", allowFrom: [], groupPolicy: "allowlist", groups: {}, requireMention: true };
const dm = (senderId: number, paired = false): AccessInput => ({ chatType: "private", chatId: senderId, senderId, addressed: false, paired });
const grp = (chatId: number, senderId: number, addressed: boolean, paired = false): AccessInput => ({ chatType: "supergroup", chatId, senderId, addressed, paired });

describe("DM access", () => {
  const cases: [string, Partial<AccessConfig>, AccessInput, string][] = [
    ["pairing: unknown sender gets a code", {}, dm(5), "pair"],
    ["pairing: paired sender allowed", {}, dm(5, true), "allow"],
    ["pairing: allowFrom id allowed", { allowFrom: [5] }, dm(5), "allow"],
    ["pairing: '*' does not switch pairing off", { allowFrom: ["*"] }, dm(5), "pair"],
    ["pairing: tg: prefix accepted", { allowFrom: ["tg:5"] }, dm(5), "allow"],
    ["allowlist: listed", { dmPolicy: "allowlist", allowFrom: ["5"] }, dm(5), "allow"],
    ["allowlist: not listed, silently dropped", { dmPolicy: "allowlist", allowFrom: [6] }, dm(5), "ignore"],
    ["allowlist: paired but not listed", { dmPolicy: "allowlist", allowFrom: [6] }, dm(5, true), "ignore"],
    ["allowlist: usernames never match", { dmPolicy: "allowlist", allowFrom: ["@alice"] }, dm(5), "ignore"],
    ["open: no list → everyone", { dmPolicy: "open" }, dm(5), "allow"],
    ["open: explicit ids still restrict", { dmPolicy: "open", allowFrom: [6] }, dm(5), "ignore"],
    ["open: '*' → everyone", { dmPolicy: "open", allowFrom: [6, "*"] }, dm(5), "allow"],
    ["disabled", { dmPolicy: "disabled", allowFrom: [5] }, dm(5), "ignore"],
  ];
  for (const [name, cfg, input, want] of cases) {
    test(name, () => {
      const d = checkAccess({ ...base, ...cfg }, input);
      expect(d.allow ? "allow" : d.action).toBe(want);
    });
  }
});

describe("group access", () => {
  const cases: [string, Partial<AccessConfig>, AccessInput, boolean][] = [
    ["allowlist: unknown group dropped", {}, grp(-100, 5, true), false],
    ["allowlist: listed group, mentioned", { groups: { "-100": {} } }, grp(-100, 5, true), true],
    ["allowlist: listed group, not mentioned", { groups: { "-100": {} } }, grp(-100, 5, false), false],
    ["requireMention false per group", { groups: { "-100": { requireMention: false } } }, grp(-100, 5, false), true],
    ["wildcard group", { groups: { "*": {} } }, grp(-7, 5, true), true],
    ["group disabled entry", { groupPolicy: "open", groups: { "-100": { enabled: false } } }, grp(-100, 5, true), false],
    ["open policy admits any group", { groupPolicy: "open" }, grp(-5, 5, true), true],
    ["disabled policy", { groupPolicy: "disabled", groups: { "*": {} } }, grp(-100, 5, true), false],
    ["groupAllowFrom restricts senders", { groups: { "*": {} }, groupAllowFrom: [6] }, grp(-100, 5, true), false],
    ["groupAllowFrom admits listed sender", { groups: { "*": {} }, groupAllowFrom: [5] }, grp(-100, 5, true), true],
    ["DM pairing never grants group access", { dmPolicy: "pairing" }, grp(-100, 5, true, true), false],
    ["DM allowFrom never grants group access", { allowFrom: [5] }, grp(-100, 5, true), false],
  ];
  for (const [name, cfg, input, want] of cases) {
    test(name, () => expect(checkAccess({ ...base, ...cfg }, input).allow).toBe(want));
  }
});

describe("mentions", () => {
  const bot = { id: 42, username: "mybot" };
  const msg = (text: string, extra: Record<string, unknown> = {}) => ({ message_id: 1, date: 0, chat: { id: -1, type: "supergroup", title: "g" }, text, ...extra }) as never;
  test("@botname entity", () => {
    expect(isAddressed(msg("@MyBot hi", { entities: [{ type: "mention", offset: 0, length: 6 }] }), bot, [])).toBe(true);
    expect(isAddressed(msg("@other hi", { entities: [{ type: "mention", offset: 0, length: 6 }] }), bot, [])).toBe(false);
  });
  test("reply to the bot", () => {
    expect(isAddressed(msg("yes", { reply_to_message: { from: { id: 42 } } }), bot, [])).toBe(true);
    expect(isAddressed(msg("yes", { reply_to_message: { from: { id: 7 } } }), bot, [])).toBe(false);
  });
  test("command addressed to the bot", () => {
    expect(isAddressed(msg("/new@mybot", { entities: [{ type: "bot_command", offset: 0, length: 10 }] }), bot, [])).toBe(true);
  });
  test("mention patterns, invalid ones skipped", () => {
    const bad: string[] = [];
    const pats = compilePatterns(["\\bclaw\\b", "(unclosed"], (p) => bad.push(p));
    expect(bad).toEqual(["(unclosed"]);
    expect(isAddressed(msg("hey Claw, help"), bot, pats)).toBe(true);
    expect(isAddressed(msg("clawing"), bot, pats)).toBe(false);
  });
  test("mention patterns run on a linear-time engine (RE2): what only backtracking can do is refused, not run on group text", () => {
    const bad: { pattern: string; err: unknown }[] = [];
    const pats = compilePatterns(["(claw)\\1", "(?=claw)cl", "(?<!x)claw", "(a+)+$"], (pattern, err) => bad.push({ pattern, err }));
    expect(bad.map((b) => b.pattern)).toEqual(["(claw)\\1", "(?=claw)cl", "(?<!x)claw"]);
    expect(String(bad[0]!.err)).toContain("RE2");
    expect(isAddressed(msg("a".repeat(5000) + "b"), bot, pats)).toBe(false); // (a+)+$ kept, and linear on this input
    expect(isAddressed(msg("aaa"), bot, pats)).toBe(true);
  });
});

describe("session keys", () => {
  const t = { agentId: "main", mainKey: "main", dmScope: "main" as const, chatType: "private", chatId: 5, userId: 5 };
  test("DM main", () => expect(telegramSessionKey(t)).toBe("agent:main:main"));
  test("DM custom main key", () => expect(telegramSessionKey({ ...t, mainKey: "home" })).toBe("agent:main:home"));
  test("DM per-peer", () => expect(telegramSessionKey({ ...t, dmScope: "per-peer" })).toBe("agent:main:direct:5"));
  test("DM per-channel-peer", () => expect(telegramSessionKey({ ...t, dmScope: "per-channel-peer" })).toBe("agent:main:telegram:direct:5"));
  test("DM per-account-channel-peer", () => expect(telegramSessionKey({ ...t, dmScope: "per-account-channel-peer" })).toBe("agent:main:telegram:default:direct:5"));
  test("group", () => expect(telegramSessionKey({ ...t, chatType: "supergroup", chatId: -100 })).toBe("agent:main:telegram:group:-100"));
  test("forum topic", () => expect(telegramSessionKey({ ...t, agentId: "ops", chatType: "supergroup", chatId: -100, threadId: 9 })).toBe("agent:ops:telegram:group:-100:topic:9"));
});
