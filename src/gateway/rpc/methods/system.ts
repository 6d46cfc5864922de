/** status, channels.status, tools.list, logs.tail. */
import { statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { UnauthorizedError } from "../../../core/errors.ts";
import type { ChannelStatus } from "../../../channels/channel.ts";
import type { LogRecord } from "../../../core/log.ts";
import { PAIRING_CHANNELS } from "../../../pairing/requests.ts";
import type { Gateway } from "../../gateway.ts";
import { defineMethod, type MethodDef } from "../method.ts";
import { clusterStatus } from "./cluster-status.ts";

const TailParams = z.strictObject({
  lines: z.number().int().min(0).max(500).default(100),
  /** keep streaming `logs.record` notifications on this connection */
  follow: z.boolean().default(true),
});

export function systemMethods(gw: Gateway): MethodDef[] {
  return [
    // Reaching a method means the connection is authenticated already (header or first frame);
    // a client that always sends `auth` first still gets a consistent answer.
    defineMethod({
      name: "auth",
      scope: "read",
      params: z.strictObject({ token: z.string().max(4096) }),
      handler: (p) => {
        if (!gw.authn.verify(p.token)) throw new UnauthorizedError("unauthorized");
        return { ok: true };
      },
    }),

    defineMethod({
      name: "status",
      scope: "read",
      params: z.strictObject({}),
      handler: async () => ({
        version: gw.version,
        uptimeS: Math.round((Date.now() - gw.startedAt) / 1000),
        ...(gw.listening ? { bind: gw.listening.hostname, port: gw.listening.port } : {}),
        sessions: await gw.store.countSessions(),
        runsInFlight: gw.runtime.runs().length,
        connections: gw.metrics.wsConnections,
        rssBytes: process.memoryUsage.rss(),
        channels: gw.channels.map((c) => c.status()),
        ...(gw.deps.plugins ? { plugins: gw.deps.plugins.list().map((x) => ({ id: x.id, state: x.state, ...(x.reason ? { reason: x.reason } : {}) })) } : {}),
        ...(gw.deps.stateDir ? { stateDir: gw.deps.stateDir, storeBytes: storeBytes(gw.deps.stateDir) } : {}),
        ...(gw.deps.cluster ? { cluster: await clusterStatus(gw.deps.cluster) } : {}),
      }),
    }),

    defineMethod({ name: "channels.status", scope: "read", params: z.strictObject({}), handler: () => channelsStatus(gw) }),

    defineMethod({ name: "tools.list", scope: "read", params: z.strictObject({}), handler: () => ({ tools: gw.runtime.toolSpecs() }) }),

    defineMethod({
      name: "logs.tail",
      scope: "admin",
      params: TailParams,
      handler: (p, call) => {
        const records: LogRecord[] = p.lines === 0 ? [] : gw.recentLogs.slice(-p.lines);
        const following = p.follow && call.peer !== undefined;
        if (call.peer) call.peer.setLogTail(p.follow);
        return { records, following };
      },
    }),
  ];
}

/**
 * Each channel's own status; a channel with pairing (Telegram) gets `allowFrom` as the effective DM
 * allowlist: the ids the running channel was configured with plus every sender with an approved
 * pairing (deduplicated, config first).
 */
async function channelsStatus(gw: Gateway): Promise<{ channels: ChannelStatus[] }> {
  const channels = await Promise.all(
    gw.channels.map(async (c) => {
      const status = c.status();
      if (!PAIRING_CHANNELS.includes(status.id)) return status;
      const paired = (await gw.store.pairingList(status.id, "approved")).map((r) => r.peerId);
      return { ...status, allowFrom: [...new Set([...(status.allowFrom ?? []), ...paired])] };
    }),
  );
  return { channels };
}

/** Bytes of the SQLite store under the state dir (the file and its WAL); 0 when there is none. */
function storeBytes(stateDir: string): number {
  const db = join(stateDir, "state", "openclaw.db");
  let total = 0;
  for (const p of [db, `${db}-wal`]) {
    try {
      total += statSync(p).size;
    } catch {
      // absent
    }
  }
  return total;
}
