/** Mount a page with the app context (the real connection over a FakeGateway socket). */
import { mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import type { Component } from "vue";
import { APP } from "../src/composables/app-context.ts";
import { createAuth } from "../src/composables/auth.ts";
import { createChat } from "../src/composables/chat.ts";
import { authApi } from "../src/rpc/auth.ts";
import { FakeGateway, settle } from "./fake-socket.ts";

export async function mountPage(page: Component, gw: FakeGateway, path = "/", props: Record<string, unknown> = {}) {
  const conn = gw.connection();
  const auth = createAuth(authApi(async () => new Response(JSON.stringify({ authenticated: true }), { status: 200 })));
  const chat = createChat(conn);
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/:p(.*)*", component: page }] });
  await router.push(path);
  await router.isReady();
  conn.start();
  await settle();
  const wrapper = mount(page, { props, attachTo: document.body, global: { plugins: [router], provide: { [APP as symbol]: { auth, conn, chat } } } });
  await settle();
  return { wrapper, conn, chat, router, auth };
}
