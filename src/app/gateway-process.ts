/**
 * `openclaw gateway run`: the foreground gateway process. Order at start: SIGTERM/SIGINT handlers
 * (first, so a stop during start-up is honoured once start-up is done) → config → single-instance lock → auth (refuse a
 * non-loopback bind without it) → store → agents, channels, gateway (assemble.ts) → interrupted runs
 * marked → plugins started (each bounded by its init timeout) → HTTP/WebSocket server → the one "listening" line → channels start in the background
 * (their state shows in `/readyz` and `status`; an unreachable Telegram API never holds this up).
 * Order at stop: stop accepting, let running turns finish within `gateway.limits.shutdownGraceMs`
 * and abort the rest (recorded `aborted`), stop channels, stop plugins (services, then processes), close connections, close the store,
 * release the lock. A second signal exits at once with 1.
 */
import { MAIN_AGENT } from "../config/agents.ts";
import { loadConfig, type LoadedConfig } from "../config/load.ts";
import { configPath, gatewayLockPath, gatewayLogPath, gatewayTokenPath, stateDir } from "../config/paths.ts";
import { errorMessage } from "../core/errors.ts";
import { heapBudgetProblem } from "../core/heap-budget.ts";
import { configureLogging, createLogger, type Logger } from "../core/log.ts";
import { installLogFile } from "../core/log-file.ts";
import { describeAuth, resolveAuth, type ResolvedAuth } from "../gateway/auth.ts";
import { acquireGatewayLock } from "../gateway/lock.ts";
import { bindHost, refuseOpenBind, serveGateway } from "../gateway/server.ts";
import { notifyReady, notifyStopping } from "../daemon/notify.ts";
import { openCluster, openConfiguredFanout, openConfiguredStore } from "../store/open.ts";
import { liveIn, startOrphanSweep } from "./cluster-sweep.ts";
import { logOpenClawNotice } from "../ops/migrate-notice.ts";
import { assembleApp } from "./assemble.ts";
import { installStopSignals, type StopSignals } from "./signals.ts";

export interface RunOptions {
  port?: number;
  bind?: string;
  /** from `--token`: visible to every local user in the process list, so a warning is logged */
  token?: string;
  version?: string;
  /** leave the log level alone (set by --log-level) instead of using logging.level */
  keepLogLevel?: boolean;
  /** SIGTERM/SIGINT handlers installed by the caller (signals.ts), `false` for none; default: installed here first */
  signals?: StopSignals | false;
  log?: Logger;
}

export interface RunningGateway {
  url: string;
  port: number;
  /** graceful stop; resolves when everything is closed */
  stop(reason?: string): Promise<void>;
  /** resolves after a stop (by signal or by `stop()`) completed */
  done: Promise<void>;
}

export const TOKEN_FLAG_WARNING =
  "--token puts the token in the process list (ps, /proc/<pid>/cmdline), readable by every local user; " +
  "prefer OPENCLAW_GATEWAY_TOKEN, gateway.auth.token in the 0600 config file, or the token file";

function authFor(loaded: LoadedConfig, flagToken: string | undefined): ResolvedAuth {
  const a = loaded.config.gateway.auth;
  const fromEnv = loaded.envOverrides.includes("OPENCLAW_GATEWAY_TOKEN"); // config/env.ts put it in gateway.auth.token
  return resolveAuth({
    mode: a.mode,
    flagToken,
    ...(fromEnv ? { envToken: a.token } : { configToken: a.token }),
    configPassword: a.password,
    tokenPath: gatewayTokenPath(),
  });
}

export async function runGatewayProcess(opts: RunOptions = {}): Promise<RunningGateway> {
  const log = opts.log ?? createLogger("gateway");
  const signals = opts.signals === false ? null : (opts.signals ?? installStopSignals(log));
  const cleanups: (() => Promise<void> | void)[] = [() => signals?.remove()];
  const unwind = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn("cleanup failed", { error: errorMessage(err) });
      }
    }
  };

  try {
    const loaded = loadConfig();
    const config = loaded.config;
    if (!opts.keepLogLevel) configureLogging({ level: config.logging.level });
    for (const w of loaded.warnings) log.warn(w);
    const budget = heapBudgetProblem(process.env);
    if (budget) log.warn(budget);
    if (opts.token !== undefined) log.warn(`${TOKEN_FLAG_WARNING} (${gatewayTokenPath()})`);

    const dir = stateDir();
    const hostname = bindHost(opts.bind ?? config.gateway.bind);
    refuseOpenBind(hostname, config.gateway.auth.mode !== "none"); // before the lock and the store
    const lock = acquireGatewayLock(gatewayLockPath(), dir);
    cleanups.push(() => lock.release());
    cleanups.push(installLogFile({ path: gatewayLogPath() })); // after the lock: one writer rotates the file
    const auth = authFor(loaded, opts.token);
    const store = await openConfiguredStore(config.storage); // SQLite by default, PostgreSQL with storage.driver
    cleanups.push(() => store.close());
    const cluster = openCluster(config.storage, store); // PostgreSQL: node registry, run leases, leader; SQLite: one node
    await cluster.start();
    cleanups.push(() => cluster.close()); // before the store closes: releases leases, marks the node stopped
    const fanout = await openConfiguredFanout(config.storage, { origin: cluster.nodeId, log: log.child("fanout") }); // run events to/from other nodes (PostgreSQL)
    cleanups.push(() => fanout.close()); // after the gateway stopped publishing, before the store closes
    cluster.setReleaseBarrier?.(() => fanout.flush()); // a run's events reach every node before the session's next run starts anywhere
    await logOpenClawNotice(store, log); // once: OpenClaw data in this home that `openclaw migrate` has not imported
    const app = assembleApp({ loaded, store, fanout, auth, log, cluster, stateDir: dir, ...(opts.version ? { version: opts.version } : {}) });
    const { router, gateway: gw, channels, plugins } = app;
    for (const id of router.agentIds()) router.get(id).withCluster(cluster);
    const interrupted = await router.get(MAIN_AGENT).recoverInterrupted(liveIn(router)); // one store: one recovery covers every agent
    if (interrupted.length) log.warn("runs interrupted by the last stop were marked interrupted", { count: interrupted.length });
    cleanups.push(startOrphanSweep(router.get(MAIN_AGENT), router, config.storage.cluster?.heartbeatMs ?? 5_000, log));
    cleanups.push(() => gw.dispose());
    cleanups.push(() => plugins.stop());
    await plugins.start(); // before listening: plugin hooks apply from the first message; a failing plugin is listed, never fatal
    const server = serveGateway(gw, { hostname, port: opts.port ?? config.gateway.port });
    cleanups.push(() => server.stop(true));
    log.info(`gateway listening on ${server.url} · ${describeAuth(auth)} · state: ${dir} · config: ${loaded.exists ? loaded.path : `${configPath()} (not found, defaults)`}`);
    notifyReady(`listening on ${server.url}`); // systemd Type=notify: READY=1 only once we accept connections
    for (const ch of channels) void ch.start();

    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    let stopping: Promise<void> | null = null;
    const stop = (reason = "stop requested"): Promise<void> => {
      stopping ??= (async () => {
        const grace = gw.config().gateway.limits.shutdownGraceMs;
        notifyStopping(`stopping (${reason})`);
        log.info(`stopping (${reason}): waiting up to ${grace} ms for running turns`, { runs: router.runs().length });
        gw.runs.draining = true;
        gw.announceShutdown(reason); // OpenClaw clients get a `shutdown` event
        void server.server.stop(false); // stop accepting; open WebSockets still get the final events
        await router.shutdown(grace);
        for (const ch of channels) {
          try {
            await ch.stop();
          } catch (err) {
            log.warn(`channel ${ch.id} did not stop cleanly`, { error: errorMessage(err) });
          }
        }
        await unwind();
        log.info("gateway stopped");
        resolveDone();
      })();
      return stopping;
    };
    signals?.onStop((sig) => void stop(sig)); // a signal that came during start-up stops now
    return { url: server.url, port: server.port, stop, done };
  } catch (err) {
    await unwind();
    throw err;
  }
}
