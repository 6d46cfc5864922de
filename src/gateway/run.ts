/**
 * `openclaw gateway run`: the foreground gateway process. Order at start: config → single-instance
 * lock → auth (refuse a non-loopback bind without it) → store → runtime (interrupted runs marked)
 * → HTTP/WebSocket server → channels → one start line. Order at stop (SIGTERM/SIGINT): stop
 * accepting, let running turns finish within `gateway.limits.shutdownGraceMs` and abort the rest
 * (recorded `aborted`), stop channels, close connections, close the store, release the lock.
 */
import { buildRuntime } from "../agent/factory.ts";
import type { Channel } from "../channels/channel.ts";
import { createChannels } from "../channels/registry.ts";
import { loadConfig } from "../config/load.ts";
import { configPath, gatewayLockPath, gatewayTokenPath, stateDir } from "../config/paths.ts";
import { ConfigError, errorMessage } from "../core/errors.ts";
import { configureLogging, createLogger, type Logger } from "../core/log.ts";
import { createExecutor } from "../sandbox/create-executor.ts";
import { openStore } from "../store/sqlite.ts";
import { describeAuth, resolveAuth } from "./auth.ts";
import { FileConfigSource } from "./config-source.ts";
import type { SandboxStatus } from "./context.ts";
import { createGateway } from "./gateway.ts";
import { acquireGatewayLock } from "./lock.ts";
import { bindHost, isLoopback, serveGateway } from "./server.ts";

export interface RunOptions {
  port?: number;
  bind?: string;
  token?: string;
  version?: string;
  /** leave the log level alone (set by --log-level) instead of using logging.level */
  keepLogLevel?: boolean;
  /** install SIGTERM/SIGINT handlers (default true) */
  signals?: boolean;
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

export async function runGateway(opts: RunOptions = {}): Promise<RunningGateway> {
  const log = opts.log ?? createLogger("gateway");
  const loaded = loadConfig();
  const config = loaded.config;
  if (!opts.keepLogLevel) configureLogging({ level: config.logging.level });
  for (const w of loaded.warnings) log.warn(w);

  const dir = stateDir();
  const hostname = bindHost(opts.bind ?? config.gateway.bind);
  const port = opts.port ?? config.gateway.port;
  if (!isLoopback(hostname) && config.gateway.auth.mode === "none") {
    throw new ConfigError(
      `refusing to listen on ${hostname} without authentication (gateway.auth.mode is "none"): anyone on the network could drive the agent. ` +
        `Set gateway.auth.mode to "token" or bind to loopback.`,
    );
  }
  const lock = acquireGatewayLock(gatewayLockPath(), dir);
  const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
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
    const auth = resolveAuth({
      mode: config.gateway.auth.mode,
      flagToken: opts.token,
      envToken: process.env.OPENCLAW_GATEWAY_TOKEN,
      configToken: config.gateway.auth.token,
      configPassword: config.gateway.auth.password,
      tokenPath: gatewayTokenPath(),
    });
    const store = await openStore();
    cleanups.push(() => store.close());
    const executor = createExecutor(config, "main", { log: log.child("sandbox") });
    const runtime = buildRuntime(config, store, { log: log.child("agent"), executor });
    const interrupted = await runtime.recoverInterrupted();
    if (interrupted.length) log.warn("runs interrupted by the last stop were marked interrupted", { count: interrupted.length });

    const sandboxStatus = async (): Promise<SandboxStatus> => {
      const s = await executor.status();
      return { level: s.level, available: s.ok, ...(s.reason ? { detail: s.reason } : {}) };
    };
    const configSource = new FileConfigSource(config, loaded.path);
    const channelLog = log.child("channels");
    let channels: Channel[] = [];
    try {
      channels = createChannels({ config, runtime, store, log: channelLog });
    } catch (err) {
      if (err instanceof ConfigError) throw err; // a misconfigured channel is fixed in the config, not ignored
      log.error("channels could not be created; the gateway runs without them", { error: errorMessage(err) });
    }
    const gw = createGateway({
      runtime,
      store,
      config: configSource,
      auth,
      channels,
      log,
      sandboxStatus,
      stateDir: dir,
      ...(opts.version ? { version: opts.version } : {}),
    });
    cleanups.push(() => gw.dispose());
    const server = serveGateway(gw, { hostname, port });
    cleanups.push(() => server.stop(true));

    for (const ch of channels) {
      try {
        await ch.start();
      } catch (err) {
        log.error(`channel ${ch.id} failed to start`, { error: errorMessage(err) });
      }
    }
    log.info(`gateway listening on ${server.url} · ${describeAuth(auth)} · state: ${dir} · config: ${loaded.exists ? loaded.path : `${configPath()} (not found, defaults)`}`);

    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    let stopping: Promise<void> | null = null;
    const stop = (reason = "stop requested"): Promise<void> => {
      if (stopping) return stopping;
      stopping = (async () => {
        const grace = gw.config().gateway.limits.shutdownGraceMs;
        log.info(`stopping (${reason}): waiting up to ${grace} ms for running turns`, { runs: runtime.runs().length });
        gw.runs.draining = true;
        void server.server.stop(false); // stop accepting; open WebSockets still get the final events
        await runtime.shutdown(grace);
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

    if (opts.signals !== false) {
      const onSignal = (sig: NodeJS.Signals) => {
        if (stopping) {
          log.warn(`${sig} again: exiting now`);
          process.exit(1);
        }
        void stop(sig);
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
      cleanups.unshift(() => {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      });
    }
    return { url: server.url, port: server.port, stop, done };
  } catch (err) {
    await unwind();
    throw err;
  }
}
