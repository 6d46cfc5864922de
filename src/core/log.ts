/**
 * The logger. One sink writes every line, and that sink redacts (see secrets.ts). Levels follow
 * `logging.level` / `--log-level`. Text lines go to stderr by default so stdout stays for command
 * output; `--json` switches to one JSON object per line.
 */
import { redact } from "./secrets.ts";

export const LEVELS = ["silent", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LEVELS)[number];

export interface LogRecord {
  ts: string;
  level: Exclude<LogLevel, "silent">;
  scope: string;
  msg: string;
  [key: string]: unknown;
}

type Sink = (line: string, record: LogRecord) => void;

const state: { level: LogLevel; json: boolean; color: boolean; sink: Sink; tail: Set<(r: LogRecord) => void> } = {
  level: "info",
  json: false,
  color: false,
  sink: (line) => process.stderr.write(line + "\n"),
  tail: new Set(),
};

export function configureLogging(opts: { level?: LogLevel; json?: boolean; color?: boolean; sink?: Sink }): void {
  if (opts.level) state.level = opts.level;
  if (opts.json !== undefined) state.json = opts.json;
  if (opts.color !== undefined) state.color = opts.color;
  if (opts.sink) state.sink = opts.sink;
}

export function logLevel(): LogLevel {
  return state.level;
}

/** Listen to every record at or above the current level (already redacted). Returns the unsubscribe. */
export function onLog(listener: (r: LogRecord) => void): () => void {
  state.tail.add(listener);
  return () => state.tail.delete(listener);
}

const COLORS: Record<string, string> = { error: "\x1b[31m", warn: "\x1b[33m", info: "\x1b[36m", debug: "\x1b[90m", trace: "\x1b[90m" };

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  trace(msg: string, fields?: Record<string, unknown>): void;
  enabled(level: LogLevel): boolean;
  child(scope: string): Logger;
}

function write(level: LogRecord["level"], scope: string, msg: string, fields?: Record<string, unknown>): void {
  if (LEVELS.indexOf(level) > LEVELS.indexOf(state.level)) return;
  const record: LogRecord = { ts: new Date().toISOString(), level, scope, msg: redact(msg) };
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      record[k] = v instanceof Error ? redact(v.message) : typeof v === "string" ? redact(v) : v;
    }
  }
  let line: string;
  if (state.json) {
    line = redact(JSON.stringify(record));
  } else {
    const extra = fields ? " " + redact(Object.entries(fields).map(([k, v]) => `${k}=${fmt(v)}`).join(" ")) : "";
    const lvl = state.color ? `${COLORS[level]}${level.toUpperCase()}\x1b[0m` : level.toUpperCase();
    line = `${record.ts} ${lvl} [${scope}] ${record.msg}${extra}`;
  }
  state.sink(line, record);
  for (const l of state.tail) l(record);
}

function fmt(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === "string") return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

export function createLogger(scope: string): Logger {
  return {
    error: (m, f) => write("error", scope, m, f),
    warn: (m, f) => write("warn", scope, m, f),
    info: (m, f) => write("info", scope, m, f),
    debug: (m, f) => write("debug", scope, m, f),
    trace: (m, f) => write("trace", scope, m, f),
    enabled: (level) => LEVELS.indexOf(level) <= LEVELS.indexOf(state.level),
    child: (sub) => createLogger(`${scope}:${sub}`),
  };
}
