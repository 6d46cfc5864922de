import { describe, expect, test } from "bun:test";
import App from "../src/App.vue";
import { FakeGateway, settle } from "./fake-socket.ts";
import { mountPage } from "./mount.ts";

describe("the app shell", () => {
  test("shows the connection state as it changes, and the theme toggle flips data-theme and remembers it for the tab", async () => {
    const gw = new FakeGateway({});
    const { wrapper, conn, auth } = await mountPage(App, gw, "/chat");
    auth.status.value = "in";
    await settle();
    const state = () => wrapper.find('[data-testid="conn-state"]').text();
    expect(state()).toBe("connected");
    gw.socket.drop(1006);
    await settle();
    expect(state()).toBe("disconnected");
    gw.fire();
    await settle();
    expect(state()).toBe("connected");
    for (const id of ["nav-chat", "nav-sessions", "nav-channels", "nav-config", "nav-logs", "nav-overview", "logout"]) expect(wrapper.find(`[data-testid="${id}"]`).exists()).toBe(true);

    const before = document.documentElement.dataset.theme;
    await wrapper.find('[data-testid="theme-toggle"]').trigger("click");
    const after = document.documentElement.dataset.theme;
    expect(after).not.toBe(before);
    expect(sessionStorage.getItem("openclaw.theme")).toBe(after!);
    sessionStorage.clear();
    conn.stop();
    wrapper.unmount();
  });
});
