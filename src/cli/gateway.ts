/**
 * `openclaw gateway run [--port] [--bind] [--token]`: the gateway in the foreground until
 * SIGTERM/SIGINT, then a graceful stop and exit 0.
 */
import { defineCommand } from "citty";
import { InvalidParamsError } from "../core/errors.ts";

const run = defineCommand({
  meta: { name: "run", description: "Run the gateway in the foreground (HTTP + WebSocket on one port)" },
  args: {
    port: { type: "string", description: "port (default gateway.port, 18789)" },
    bind: { type: "string", description: "loopback (default) | lan | an address; non-loopback needs auth" },
    token: { type: "string", description: "bearer token (else OPENCLAW_GATEWAY_TOKEN, gateway.auth.token, or the token file)" },
  },
  async run({ args }) {
    const { runGateway } = await import("../gateway/run.ts");
    const { globals } = await import("./context.ts");
    const { VERSION } = await import("./version.ts");
    let port: number | undefined;
    if (args.port !== undefined) {
      port = Number(args.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidParamsError(`--port must be a port number (0-65535), got ${args.port}`);
    }
    const gw = await runGateway({
      version: VERSION,
      keepLogLevel: globals().logLevel !== undefined,
      ...(port !== undefined ? { port } : {}),
      ...(args.bind ? { bind: args.bind } : {}),
      ...(args.token ? { token: args.token } : {}),
    });
    await gw.done;
    process.exitCode = 0;
    // Everything is closed; if a stray handle still holds the loop, do not hang the service manager.
    setTimeout(() => process.exit(0), 2000).unref();
  },
});

export const command = defineCommand({
  meta: { name: "gateway", description: "Run and manage the gateway" },
  subCommands: { run },
});
