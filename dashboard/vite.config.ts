// Vite config of the dashboard (built by build/dashboard.mjs, served by the gateway from the binary).
// `vite dev` proxies /ws and /auth to a local gateway: OPENCLAW_GATEWAY_URL (default http://127.0.0.1:18789).
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

const gateway = process.env.OPENCLAW_GATEWAY_URL ?? "http://127.0.0.1:18789";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [vue()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // no inline <script> or style: the gateway's CSP is script-src 'self'; style-src 'self'
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: true,
    reportCompressedSize: false,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/ws": { target: gateway.replace(/^http/, "ws"), ws: true, changeOrigin: true },
      "/auth": { target: gateway, changeOrigin: true },
    },
  },
});
