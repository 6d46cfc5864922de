/**
 * `openclaw logs [--lines N] [--level L] [--follow] [--json]`: the last lines of the gateway's log
 * file (`<state dir>/logs/gateway.log` and its rotations), at level L and more severe; with
 * `--follow`, then the running gateway's live tail (logs.tail over `/ws`), or the file as it grows
 * when no gateway answers. `--json` prints each record as one JSON line (not one document), so the
 * output can be piped while following.
 */
import { defineCommand } from "citty";
import type { LogRecord } from "../core/log.ts";
import { UsageError, globals, loadCliConfig, output } from "./output.ts";

function linesFlag(raw: unknown): number {
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!/^\d+$/.test(String(raw)) || n > 10_000) throw new UsageError(`--lines must be a whole number from 0 to 10000, got ${JSON.stringify(raw)}`);
  return n;
}

export const command = defineCommand({
  meta: { name: "logs", description: "Show the gateway's log (the file, or the running gateway's live tail with --follow)" },
  args: {
    lines: { type: "string", alias: "n", description: "how many of the latest records first (default 50)" },
    level: { type: "string", description: "only this level and more severe: error | warn | info | debug | trace" },
    follow: { type: "boolean", alias: "f", description: "keep printing new records until interrupted" },
  },
  async run({ args }) {
    const { checkLevel, atLeast, formatRecord, readLogTail } = await import("../ops/log-read.ts");
    let level;
    try {
      level = checkLevel(args.level === undefined ? undefined : String(args.level));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const lines = linesFlag(args.lines);
    const { gatewayLogPath } = await import("../config/paths.ts");
    const path = gatewayLogPath();
    const json = globals().json;
    const print = (r: LogRecord) => {
      if (atLeast(r, level)) process.stdout.write((json ? JSON.stringify(r) : formatRecord(r)) + "\n");
    };
    if (!args.follow) {
      const { existsSync } = await import("node:fs");
      if (!existsSync(path) && !json) return output(`no log file yet at ${path} (the gateway writes it while it runs)`, {});
      for (const r of readLogTail(path, { lines, ...(level ? { level } : {}) }).records) print(r);
      return;
    }
    const { config } = await loadCliConfig();
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      const { callGateway, findGateway } = await import("../ops/gateway-client.ts");
      const found = await findGateway({ config });
      if (found.found) {
        // over HTTP first: a refused token is a clear UnauthorizedError, not a bare failed upgrade
        await callGateway("logs.tail", { lines: 0, follow: false }, { config });
        const { followGateway } = await import("../ops/log-follow.ts");
        // the gateway keeps its latest records in memory; logs.tail gives at most 500 of them (before --level)
        const how = await followGateway(found.target, Math.min(lines, 500), print, stop.signal);
        if (how === "closed") process.stderr.write("the gateway closed the log stream (stopped?)\n");
        return;
      }
      if (found.running) process.stderr.write(`${found.reason}; following the file ${path}\n`);
      const tail = readLogTail(path, { lines, ...(level ? { level } : {}) });
      for (const r of tail.records) print(r);
      const { followLogFile } = await import("../ops/log-follow.ts");
      await followLogFile(path, print, { signal: stop.signal, from: tail.size });
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
});
