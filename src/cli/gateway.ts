/**
 * `openclaw gateway run [--port] [--bind] [--token]`: the gateway in the foreground until
 * SIGTERM/SIGINT, then a graceful stop and exit 0. `--token` works but is visible to every local
 * user in the process list, so the gateway warns; the environment (`OPENCLAW_GATEWAY_TOKEN`), the
 * config file or the token file keep it private.
 */
import { defineCommand } from "citty";
import { UsageError } from "./output.ts";

/** `--port`: an integer 0-65535 (0 picks a free port); anything else is a usage error (exit 2). */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`--port must be a port number (0-65535), got ${text}`);
  }
  return port;
}

const run = defineCommand({
  meta: { name: "run", description: "Run the gateway in the foreground (HTTP + WebSocket on one port)" },
  args: {
    port: { type: "string", description: "port (default gateway.port, 18789; 0 picks a free one)" },
    bind: { type: "string", description: "loopback (default) | lan | an address; non-loopback needs auth" },
    token: {
      type: "string",
      description: "bearer token; visible to other local users in the process list: prefer OPENCLAW_GATEWAY_TOKEN, gateway.auth.token or the token file",
    },
  },
  async run({ args }) {
    const port = args.port !== undefined ? parsePort(args.port) : undefined;
    // signal handlers before the gateway's modules load: a SIGTERM from here on is a graceful stop
    const { installStopSignals } = await import("../app/signals.ts");
    const { createLogger } = await import("../core/log.ts");
    const signals = installStopSignals(createLogger("gateway"));
    const { runGatewayProcess } = await import("../app/gateway-process.ts");
    const { globals } = await import("./output.ts");
    const { VERSION } = await import("./version.ts");
    const gw = await runGatewayProcess({
      version: VERSION,
      keepLogLevel: globals().logLevel !== undefined,
      signals,
      ...(port !== undefined ? { port } : {}),
      ...(args.bind ? { bind: args.bind } : {}),
      ...(args.token !== undefined ? { token: args.token } : {}),
    });
    await gw.done;
    process.exitCode = 0;
    // Everything is closed; if a stray handle still holds the loop, do not hang the service manager.
    setTimeout(() => process.exit(0), 2000).unref();
  },
});

export const command = defineCommand({
  meta: { name: "gateway", description: "Run the gateway (HTTP, WebSocket, Telegram)" },
  subCommands: { run },
});
