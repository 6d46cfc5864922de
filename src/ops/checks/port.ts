/**
 * The gateway's port: free, or our gateway answering `GET /healthz` on it. When something else
 * holds it, which process (port-owner.ts). Nothing to repair: the fix is to stop that process or
 * choose another port.
 */
import { createServer } from "node:net";
import { bindHost } from "../../gateway/server.ts";
import { answersHealthz, clientHost } from "../gateway-client.ts";
import { portOwner } from "./port-owner.ts";
import { fail, ok, type Check } from "./types.ts";

const PROBE_TIMEOUT_MS = 2000;

/** true when an openclaw gateway answers /healthz at host:port. */
export const gatewayAnswers = (host: string, port: number): Promise<boolean> => answersHealthz(`http://${clientHost(host)}:${port}`, PROBE_TIMEOUT_MS);

/** Tries to listen on host:port; the error code when that is refused (EADDRINUSE, EACCES, …). */
function tryListen(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    srv.listen({ host: host.replace(/^\[|\]$/g, ""), port, exclusive: true }, () => srv.close(() => resolve(null)));
  });
}

export const portCheck: Check = {
  id: "port",
  async run(ctx) {
    const host = bindHost(ctx.config.gateway.bind);
    const port = ctx.config.gateway.port;
    const where = `${host}:${port}`;
    if (await gatewayAnswers(host, port)) return ok("port", `an openclaw gateway answers on ${where}`);
    const refused = await tryListen(host, port);
    if (refused === null) return ok("port", `port ${where} is free`);
    const other = `openclaw config set gateway.port ${port === 65535 ? port - 1 : port + 1}`;
    if (refused !== "EADDRINUSE") return fail("port", `cannot listen on ${where}: ${refused}`, `choose another port (${other}) or bind (openclaw config set gateway.bind loopback)`);
    const owner = portOwner(port);
    const who = owner ? `pid ${owner.pid} (${owner.comm})` : "an unknown process";
    const stop = owner ? `stop pid ${owner.pid} (kill ${owner.pid})` : `find it with: ss -ltnp 'sport = :${port}'`;
    return fail("port", `port ${where} is held by ${who}, which is not an openclaw gateway`, `${stop}, or use another port: ${other}`);
  },
};
