import { describe, expect, test } from "bun:test";
import "./jsdom-sanitizer.ts";
import ChatPage from "../src/pages/ChatPage.vue";
import ChannelsPage from "../src/pages/ChannelsPage.vue";
import { FakeGateway, settle } from "./fake-socket.ts";
import { mountPage } from "./mount.ts";

const KEY = "agent:main:main";

describe("ChatPage", () => {
  test("send, stream, tool card, abort: the hooks the browser test drives", async () => {
    const gw = new FakeGateway({
      "sessions.list": () => ({ sessions: [{ key: "agent:main:telegram:dm:42", agentId: "main", channel: "telegram", peer: "42", title: null }] }),
      "sessions.subscribe": () => ({}),
      "chat.history": () => ({ entries: [] }),
      "chat.send": () => ({ runId: "run_1", sessionKey: KEY, deduplicated: false }),
      "chat.abort": () => ({ aborted: true }),
    });
    const { wrapper } = await mountPage(ChatPage, gw, "/chat");
    const options = wrapper.findAll('[data-testid="session-picker"] option').map((o) => o.text());
    expect(options).toEqual([KEY, "agent:main:telegram:dm:42"]);
    expect(wrapper.find('[data-testid="chat-abort"]').attributes("disabled")).toBeDefined();

    await wrapper.find('[data-testid="chat-input"]').setValue("hello <b>there</b>");
    await wrapper.find('[data-testid="chat-send"]').trigger("click");
    await settle();
    expect(wrapper.find('[data-testid="message-streaming"]').exists()).toBe(true); // before the first token
    const ev = (event: Record<string, unknown>) => gw.notify("chat.event", { sessionKey: KEY, runId: "run_1", event: { runId: "run_1", ...event } });
    ev({ type: "text_delta", text: "Hi <img src=x onerror=alert(1)>" });
    await settle();
    const msgs = () => wrapper.findAll('[data-testid="message"]');
    expect(msgs().map((m) => m.attributes("data-role"))).toEqual(["user", "assistant"]);
    expect(msgs()[0]!.text()).toBe("hello <b>there</b>"); // the user's text is text, never HTML
    expect(wrapper.find('[data-testid="message-streaming"]').exists()).toBe(true);
    expect(msgs()[1]!.find("img").exists()).toBe(false); // the model's HTML is shown as text
    expect(msgs()[1]!.text()).toContain("<img src=x onerror=alert(1)>");
    expect(wrapper.find('[data-testid="chat-abort"]').attributes("disabled")).toBeUndefined();

    ev({ type: "tool_call", toolCallId: "t1", name: "exec", input: { command: "sleep 9" }, sandbox: "strict" });
    ev({ type: "tool_result", toolCallId: "t1", name: "exec", isError: false, output: "done", durationMs: 1500, sandbox: "strict" });
    await settle();
    const card = wrapper.find('[data-testid="tool-card"]');
    expect(card.element.tagName).toBe("DETAILS");
    expect(card.find('[data-testid="tool-card-name"]').text()).toBe("exec");
    expect(card.find('[data-testid="tool-card-input"]').text()).toContain('"command": "sleep 9"');
    expect(card.find('[data-testid="tool-card-output"]').text()).toBe("done");
    expect(card.find('[data-testid="tool-card-duration"]').text()).toBe("1.5 s");
    expect(card.find('[data-testid="tool-card-sandbox"]').text()).toBe("strict");

    await wrapper.find('[data-testid="chat-abort"]').trigger("click");
    await settle();
    expect(gw.sent.find((s) => s.method === "chat.abort")?.params).toEqual({ runId: "run_1" });
    ev({ type: "final", text: "", outcome: "aborted", durationMs: 2000 });
    await settle();
    expect(wrapper.find('[data-testid="message-streaming"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="run-outcome"]').text()).toBe("aborted");
    wrapper.unmount();
  });
});

describe("ChatPage scrolling", () => {
  test("while pinned to the bottom, every streamed token after a tool card scrolls the list to its end", async () => {
    const gw = new FakeGateway({
      "sessions.list": () => ({ sessions: [] }),
      "sessions.subscribe": () => ({}),
      "chat.history": () => ({ entries: [] }),
      "chat.send": () => ({ runId: "run_1", sessionKey: KEY, deduplicated: false }),
    });
    const { wrapper } = await mountPage(ChatPage, gw, "/chat");
    const list = wrapper.find(".chat__list").element as HTMLElement;
    const scrolls: number[] = [];
    let height = 100;
    Object.defineProperty(list, "scrollHeight", { configurable: true, get: () => height });
    list.scrollTo = ((opts: ScrollToOptions) => void scrolls.push(opts.top ?? -1)) as typeof list.scrollTo;
    await wrapper.find('[data-testid="chat-input"]').setValue("run ls");
    await wrapper.find('[data-testid="chat-send"]').trigger("click");
    await settle();
    const ev = async (event: Record<string, unknown>) => {
      height += 40;
      gw.notify("chat.event", { sessionKey: KEY, runId: "run_1", event: { runId: "run_1", ...event } });
      await settle();
      return scrolls[scrolls.length - 1];
    };
    expect(await ev({ type: "tool_call", toolCallId: "t1", name: "exec", input: { command: "ls" }, sandbox: "strict" })).toBe(height);
    expect(await ev({ type: "tool_result", toolCallId: "t1", name: "exec", isError: false, output: "a\nb\nc", durationMs: 3, sandbox: "strict" })).toBe(height);
    expect(await ev({ type: "text_delta", text: "Here are " })).toBe(height);
    expect(await ev({ type: "text_delta", text: "the files: a, b and c, which wrap onto many lines at 390 px." })).toBe(height);
    expect(await ev({ type: "final", text: "", outcome: "ok", durationMs: 9 })).toBe(height);
    wrapper.unmount();
  });
});

describe("ChatPage lifecycle", () => {
  test("an unmounted chat page stops reloading the session list on reconnect", async () => {
    const gw = new FakeGateway({
      "sessions.list": () => ({ sessions: [] }),
      "sessions.subscribe": () => ({}),
      "chat.history": () => ({ entries: [] }),
    });
    const { wrapper } = await mountPage(ChatPage, gw, "/chat");
    const lists = () => gw.sent.filter((s) => s.method === "sessions.list").length;
    const reconnect = async () => {
      gw.socket.drop(1006);
      await settle();
      gw.fire();
      await settle();
    };
    await reconnect();
    const mounted = lists();
    expect(mounted).toBe(2);
    wrapper.unmount();
    await reconnect();
    expect(lists()).toBe(mounted);
  });
});

describe("ChannelsPage", () => {
  test("shows Telegram's state and allowlist; approving a pairing calls pairing.approve and refreshes", async () => {
    let pending = [{ channel: "telegram", peerId: "42", code: "ABCD1234", status: "pending", createdAt: 1, expiresAt: 2, meta: { username: "ann", name: "Ann" } }];
    const allow = ["7"];
    const gw = new FakeGateway({
      "channels.status": () => ({ channels: [{ id: "telegram", enabled: true, running: true, state: "running", mode: "polling", botUsername: "claw_bot", allowFrom: allow }] }),
      "pairing.list": () => ({ requests: pending }),
      "pairing.approve": (p: { code: string }) => {
        pending = pending.filter((r) => r.code !== p.code);
        allow.push("42");
        return { request: { status: "approved" } };
      },
    });
    const { wrapper } = await mountPage(ChannelsPage, gw, "/channels");
    const card = wrapper.find('[data-testid="channel-card"][data-channel="telegram"]');
    expect(card.find('[data-testid="channel-state"]').text()).toBe("running");
    expect(card.text()).toContain("@claw_bot");
    expect(card.find('[data-testid="pairing-row"]').text()).toContain("Ann @ann (42)");
    expect(card.findAll('[data-testid="allowlist-entry"]').map((e) => e.text())).toEqual(["7"]);
    await card.find('[data-testid="pairing-row"][data-code="ABCD1234"] [data-testid="pairing-approve"]').trigger("click");
    await settle();
    expect(gw.sent.find((s) => s.method === "pairing.approve")?.params).toEqual({ channel: "telegram", code: "ABCD1234" });
    expect(wrapper.findAll('[data-testid="pairing-row"]').length).toBe(0);
    expect(wrapper.findAll('[data-testid="allowlist-entry"]').map((e) => e.text())).toEqual(["7", "42"]);
    wrapper.unmount();
  });
});
