/** Entry: login state first (a one-time code in the fragment is exchanged and removed), then the app. */
import { createApp, watch } from "vue";
import App from "./App.vue";
import { createAppRouter } from "./router.ts";
import { authApi } from "./rpc/auth.ts";
import { createAuth } from "./composables/auth.ts";
import { createConnection } from "./composables/connection.ts";
import { createChat } from "./composables/chat.ts";
import { APP } from "./composables/app-context.ts";
import { useTheme } from "./composables/theme.ts";
import "./styles/app.css";

async function boot() {
  useTheme();
  const auth = createAuth(authApi());
  const conn = createConnection({ stillAuthenticated: () => auth.stillAuthenticated() });
  const chat = createChat(conn);
  await auth.init();
  const router = createAppRouter(auth);
  conn.onUnauthorized(() => void router.replace("/login"));
  window.addEventListener("hashchange", () => {
    void auth.consumeHash().then((had) => {
      if (had) void router.replace(auth.status.value === "in" ? "/chat" : "/login");
    });
  });
  watch(
    () => auth.status.value,
    (s) => {
      if (s === "in") conn.start();
      else conn.stop();
    },
    { immediate: true },
  );
  createApp(App).provide(APP, { auth, conn, chat }).use(router).mount("#app");
}

void boot();
