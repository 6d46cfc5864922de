import { afterEach, expect, test } from "bun:test";
import { FAKE_BOT_ID } from "../fakes/telegram.ts";
import { say } from "../fakes/scripted-provider.ts";
import { OWNER, STRANGER, setup, type Harness } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test("an allowlisted DM is answered through long polling; the session is the main session", async () => {
  h = await setup({ script: [say.text("Hello **there**!")] });
  h.fake.dm(OWNER, "hi");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("Hello there!"), 5000, "reply");
  const sent = h.fake.sentTo(OWNER);
  expect(sent.length).toBe(1);
  expect(sent[0]!.parse_mode).toBe("HTML");
  expect(h.provider.requests[0]!.messages.at(-1)!.content).toEqual([{ type: "text", text: "hi" }]);
  expect((await h.store.getSession("agent:main:main"))?.lastSeq).toBeGreaterThan(0);
  expect(h.fake.callsOf("setMyCommands")[0]!.params.commands.map((c: { command: string }) => c.command)).toEqual(["start", "new", "stop", "status", "help"]);
  expect(h.fake.callsOf("sendChatAction").length).toBeGreaterThan(0);
  await h.channel.inbox.idle();
  expect(await h.store.inboxPending("telegram")).toEqual([]);
  expect(h.channel.status()).toMatchObject({ id: "telegram", running: true, mode: "polling", account: "@openclaw_test_bot" });
});

test("allowlist: a stranger's DM costs no tokens and gets no answer", async () => {
  h = await setup({ script: [say.text("secret")] });
  h.fake.dm(STRANGER, "hello?");
  h.fake.dm(OWNER, "hi");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).length === 1, 5000, "owner reply");
  await h.channel.inbox.idle();
  expect(h.provider.calls).toBe(1);
  expect(h.fake.sentTo(STRANGER)).toEqual([]);
  expect(h.channel.status().details).toMatchObject({ rejected: 1 });
});

test("the bot token never appears in logs or status", async () => {
  const { onLog } = await import("../../src/core/log.ts");
  const { configureLogging } = await import("../../src/core/log.ts");
  const lines: string[] = [];
  configureLogging({ level: "debug", sink: (l) => lines.push(l) });
  const off = onLog(() => {});
  try {
    h = await setup({ script: [say.error("boom", { kind: "server_error" })] });
    h.fake.dm(OWNER, "hi");
    await h.fake.waitFor(() => h!.fake.textsIn(OWNER).length === 1, 5000, "error notice");
    expect(h.fake.textsIn(OWNER)[0]).toContain("couldn't get an answer");
    expect(JSON.stringify(h.channel.status())).not.toContain(h.fake.token);
  } finally {
    off();
    configureLogging({ level: "silent", sink: (l) => process.stderr.write(l + "\n") });
  }
  const all = lines.join("\n");
  expect(all).toContain("run failed");
  expect(all).not.toContain(h.fake.token);
  expect(all).not.toContain(h.fake.token.split(":")[1]!);
  void FAKE_BOT_ID;
});
