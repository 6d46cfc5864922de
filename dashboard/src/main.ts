/** Entry: login state first (a one-time code in the fragment is exchanged and removed), then the app. */
import { createApp, watch } from "vue";
import App from "./App.vue";
import { createAppRouter } from "./router.ts";
import { authApi } from "./rpc/auth.ts";
import { codeFromHash, createAuth } from "./composables/auth.ts";
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
  watch(
    () => auth.status.value,
    (s) => {
      if (s === "in") conn.start();
      else conn.stop();
    },
    { immediate: true },
  );
  createApp(App).provide(APP, { auth, conn, chat }).use(router).mount("#app");
  // A login link opened in a tab that already shows the dashboard changes only the fragment (no
  // reload, so boot does not run again): exchange its code too.
  window.addEventListener("hashchange", () => {
    if (codeFromHash(window.location.hash) === null) return;
    void auth.init().then((s) => router.replace(s === "in" ? "/chat" : "/login"));
  });
}

void boot();
