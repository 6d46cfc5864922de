import { afterEach, expect, test } from "bun:test";
import { PAIRING_TEXT } from "../../src/channels/telegram/handlers.ts";
import { approvePairing, listPairings } from "../../src/pairing/requests.ts";
import { say } from "../fakes/scripted-provider.ts";
import { OWNER, setup, type Harness } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test("pairing: code issued (same code on repeat), at most 3 pending, approval lets the user in", async () => {
  h = await setup({ script: () => say.text("welcome aboard"), telegram: { dmPolicy: "pairing", allowFrom: [] } });
  const users = [11, 12, 13, 14];
  for (const u of users) h.fake.dm(u, "let me in");
  h.fake.dm(11, "again");
  await h.fake.waitFor(() => users.every((u) => h!.fake.sentTo(u).length >= 1) && h!.fake.sentTo(11).length === 2, 5000, "pairing replies");
  await h.channel.inbox.idle();
  expect(h.provider.calls).toBe(0);
  const pending = await listPairings(h.store, "telegram");
  expect(pending.map((p) => p.peerId).sort()).toEqual(["11", "12", "13"]);
  const code11 = pending.find((p) => p.peerId === "11")!.code;
  const [first, second] = h.fake.textsIn(11);
  expect(first).toBe(PAIRING_TEXT.code(code11));
  expect(second).toBe(first!); // the same code, not a new one
  expect(h.fake.textsIn(14)).toEqual([PAIRING_TEXT.limited]);
  // the reply says nothing about the owner
  for (const t of h.fake.textsIn(11)) expect(t).not.toContain(String(OWNER));

  await approvePairing(h.store, "telegram", code11);
  h.fake.dm(11, "now?");
  await h.fake.waitFor(() => h!.fake.textsIn(11).includes("welcome aboard"), 5000, "answer after approval");
  expect(h.provider.calls).toBe(1);
});

test("a DM pairing never grants group access; an allowlisted group answers only when addressed", async () => {
  h = await setup({
    script: () => say.text("group answer"),
    telegram: { dmPolicy: "pairing", allowFrom: [], groups: { "-500": {} } },
  });
  // user 21 is paired for DMs
  h.fake.dm(21, "pair me");
  await h.fake.waitFor(() => h!.fake.sentTo(21).length === 1, 5000, "code");
  const code = (await listPairings(h.store, "telegram"))[0]!.code;
  await approvePairing(h.store, "telegram", code);

  h.fake.group(-600, 21, "hello bot", { mention: true }); // group not allowlisted
  h.fake.group(-500, 21, "no mention here"); // allowlisted, not addressed
  h.fake.group(-500, 22, "hi there", { mention: true }); // addressed by @mention
  h.fake.group(-500, 23, "and me", { replyToBot: true }); // addressed by reply
  await h.fake.waitFor(() => h!.fake.sentTo(-500).length === 2, 5000, "two group answers");
  await h.channel.inbox.idle();
  expect(h.fake.sentTo(-600)).toEqual([]);
  expect(h.provider.calls).toBe(2);
  const texts = h.provider.requests.map((r) => JSON.stringify(r.messages.at(-1)!.content));
  expect(texts[0]).toContain('"hi there"'); // the @mention is stripped
  expect(await h.store.getSession("agent:main:telegram:group:-500")).not.toBeNull();
});

test("mention patterns address the bot in groups", async () => {
  h = await setup({ script: () => say.text("yes?"), telegram: { groups: { "*": {} }, mentionPatterns: ["\\bclaw\\b"] } });
  h.fake.group(-700, 5, "hey claw, what's up");
  h.fake.group(-700, 5, "nothing for the bot");
  await h.fake.waitFor(() => h!.fake.sentTo(-700).length === 1, 5000, "answer");
  await h.channel.inbox.idle();
  expect(h.provider.calls).toBe(1);
});

test("forum topics get their own sessions and replies stay in the topic", async () => {
  h = await setup({ script: (_r, i) => say.text(`topic answer ${i}`), telegram: { groups: { "-800": { requireMention: false } } } });
  h.fake.group(-800, 5, "in topic 3", { threadId: 3 });
  h.fake.group(-800, 5, "in topic 4", { threadId: 4 });
  h.fake.group(-800, 5, "general");
  await h.fake.waitFor(() => h!.fake.sentTo(-800).length === 3, 5000, "three answers");
  expect(await h.store.getSession("agent:main:telegram:group:-800:topic:3")).not.toBeNull();
  expect(await h.store.getSession("agent:main:telegram:group:-800:topic:4")).not.toBeNull();
  expect(await h.store.getSession("agent:main:telegram:group:-800")).not.toBeNull();
  expect(h.fake.sentTo(-800).map((m) => m.thread_id ?? null).sort()).toEqual([3, 4, null].sort() as never);
});

test("per-peer DM scope gives each sender their own session", async () => {
  h = await setup({ script: () => say.text("ok"), telegram: { dmPolicy: "open", allowFrom: [] }, config: { session: { dmScope: "per-peer" } } });
  h.fake.dm(31, "a");
  h.fake.dm(32, "b");
  await h.fake.waitFor(() => h!.fake.sentTo(31).length === 1 && h!.fake.sentTo(32).length === 1, 5000, "answers");
  expect(await h.store.getSession("agent:main:direct:31")).not.toBeNull();
  expect(await h.store.getSession("agent:main:direct:32")).not.toBeNull();
  expect(await h.store.getSession("agent:main:main")).toBeNull();
});
