import { describe, expect, test } from "bun:test";
import SessionsPage from "../src/pages/SessionsPage.vue";
import SessionPage from "../src/pages/SessionPage.vue";
import { FakeGateway, settle } from "./fake-socket.ts";
import { mountPage } from "./mount.ts";

const row = (key: string, extra: Record<string, unknown> = {}) => ({ key, agentId: "main", channel: "telegram", peer: "42", title: null, messageCount: 3, lastActivityAt: "2026-12-03T17:00:00.000Z", ...extra });

describe("SessionsPage", () => {
  test("lists sessions with their counts, pages with the cursor, searches with query", async () => {
    const gw = new FakeGateway({
      "sessions.list": (p: { cursor?: string; query?: string }) =>
        p.query ? { sessions: [row("agent:main:telegram:dm:ada")] } : p.cursor === "c2" ? { sessions: [row("agent:main:b")] } : { sessions: [row("agent:main:a")], nextCursor: "c2" },
    });
    const { wrapper } = await mountPage(SessionsPage, gw, "/sessions");
    const keys = () => wrapper.findAll('[data-testid="session-row"]').map((r) => r.attributes("data-key"));
    expect(keys()).toEqual(["agent:main:a"]);
    expect(wrapper.find('[data-testid="session-row"]').text()).toContain("3");
    await wrapper.find('[data-testid="sessions-next"]').trigger("click");
    await settle();
    expect(keys()).toEqual(["agent:main:b"]);
    expect(wrapper.find('[data-testid="sessions-next"]').attributes("disabled")).toBeDefined();
    // sessions.list refuses a query over 200 characters: the box cannot take more
    expect(wrapper.find('[data-testid="sessions-search"]').attributes("maxlength")).toBe("200");
    await wrapper.find('[data-testid="sessions-search"]').setValue("ADA");
    await new Promise((r) => setTimeout(r, 300)); // the search's own 250 ms debounce
    await settle();
    expect(gw.sent.filter((s) => s.method === "sessions.list").at(-1)?.params).toEqual({ limit: 25, query: "ADA" });
    expect(keys()).toEqual(["agent:main:telegram:dm:ada"]);
    wrapper.unmount();
  });
});

describe("SessionPage", () => {
  test("the timeline, and delete only after the confirmation (cancel keeps it)", async () => {
    const gw = new FakeGateway({
      "chat.history": () => ({ entries: [{ seq: 1, ts: 1, kind: "message", role: "user", runId: "r1", text: "hello there" }, { seq: 2, ts: 2, kind: "run_finished", runId: "r1", outcome: "ok", durationMs: 12 }] }),
      "sessions.delete": () => ({ deleted: true }),
    });
    const { wrapper, router } = await mountPage(SessionPage, gw, "/sessions/x", { sessionKey: "agent:main:telegram:dm:42" });
    const entries = wrapper.findAll('[data-testid="timeline-entry"]');
    expect(entries.map((e) => e.text())).toEqual([expect.stringContaining("hello there"), expect.stringContaining("ok in 12 ms")]);
    await wrapper.find('[data-testid="session-delete"]').trigger("click");
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(true);
    await wrapper.find('[data-testid="confirm-cancel"]').trigger("click");
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(gw.sent.some((s) => s.method === "sessions.delete")).toBe(false);
    await wrapper.find('[data-testid="session-delete"]').trigger("click");
    await wrapper.find('[data-testid="confirm-ok"]').trigger("click");
    await settle();
    expect(gw.sent.find((s) => s.method === "sessions.delete")?.params).toEqual({ sessionKey: "agent:main:telegram:dm:42" });
    expect(router.currentRoute.value.path).toBe("/sessions");
    wrapper.unmount();
  });
});

describe("ConfirmDialog", () => {
  test("takes focus, Escape cancels, and focus goes back to the button that opened it", async () => {
    const { mount } = await import("@vue/test-utils");
    const { default: ConfirmDialog } = await import("../src/components/common/ConfirmDialog.vue");
    const opener = document.createElement("button");
    document.body.append(opener);
    opener.focus();
    const w = mount(ConfirmDialog, { props: { title: "Delete?", message: "gone for good" }, attachTo: document.body });
    await settle();
    expect(document.activeElement?.getAttribute("data-testid")).toBe("confirm-ok");
    await w.find('[data-testid="confirm-dialog"]').trigger("keydown", { key: "Escape" });
    expect(w.emitted("cancel")).toHaveLength(1);
    w.unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });
});
