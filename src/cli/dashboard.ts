/**
 * `openclaw dashboard [--no-open]`: print a one-time login link to the running gateway's dashboard
 * and open it in the browser where a desktop exists (ops/dashboard.ts). `--json` prints
 * `{code, expiresAt, url, opened}`.
 */
import { defineCommand } from "citty";
import { globals, loadCliConfig, output, warn } from "./output.ts";

export const command = defineCommand({
  meta: { name: "dashboard", description: "Open the dashboard with a one-time login link (valid once, for 60 s)" },
  args: {
    open: { type: "boolean", default: true, description: "open the link in the browser when a desktop exists (--no-open: only print it)" },
  },
  async run({ args }) {
    const { config, envOverrides } = await loadCliConfig();
    const { hasDesktop, mintDashboardLink, openInBrowser } = await import("../ops/dashboard.ts");
    const link = await mintDashboardLink({ config, envOverrides });
    let opened = false;
    if (args.open !== false && hasDesktop()) {
      const r = await openInBrowser(link.url);
      opened = r.opened;
      if (!r.opened && !globals().json) warn(`could not open a browser: ${r.reason}; open the link yourself`);
    }
    const secs = Math.max(0, Math.round((link.expiresAt - Date.now()) / 1000));
    output(
      () => `${opened ? "Opened the dashboard in your browser:" : "Open the dashboard:"}\n  ${link.url}\nThe link works once, within ${secs} s; run \`openclaw dashboard\` again for a new one.`,
      { ...link, opened },
    );
  },
});
