/** Routes (hash history: the fragment never reaches the server). Pages other than chat load on first visit. */
import { createRouter, createWebHashHistory, type Router } from "vue-router";
import type { Auth } from "./composables/auth.ts";
import ChatPage from "./pages/ChatPage.vue";

export function createAppRouter(auth: Auth): Router {
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: "/", redirect: "/chat" },
      { path: "/login", component: () => import("./pages/LoginPage.vue"), meta: { public: true } },
      { path: "/chat", component: ChatPage },
      { path: "/sessions", component: () => import("./pages/SessionsPage.vue") },
      { path: "/sessions/:key", component: () => import("./pages/SessionPage.vue"), props: (r) => ({ sessionKey: String(r.params.key) }) },
      { path: "/channels", component: () => import("./pages/ChannelsPage.vue") },
      { path: "/config", component: () => import("./pages/ConfigPage.vue") },
      { path: "/logs", component: () => import("./pages/LogsPage.vue") },
      { path: "/overview", component: () => import("./pages/OverviewPage.vue") },
      { path: "/:rest(.*)*", redirect: "/chat" },
    ],
  });
  router.beforeEach((to) => {
    if (auth.status.value !== "in" && !to.meta.public) return { path: "/login" };
    if (auth.status.value === "in" && to.path === "/login") return { path: "/chat" };
    return true;
  });
  return router;
}
