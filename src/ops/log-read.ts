/**
 * Reading the gateway's log file (core/log-file.ts writes it: one JSON record per line, rotated to
 * `.1` … `.3`). `readLogTail` reads backwards in chunks, so the last lines of a 10 MiB file cost a
 * few reads, and goes on into the rotated files when the live one holds fewer matching records.
 * Lines that are not JSON records (a torn last line, a foreign file) are skipped.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { InvalidParamsError } from "../core/errors.ts";
import { LEVELS, type LogRecord } from "../core/log.ts";
import { LOG_FILE_KEEP, rotatedPath } from "../core/log-file.ts";

export type RecordLevel = LogRecord["level"];
const CHUNK = 64 * 1024;

export function checkLevel(level: string | undefined): RecordLevel | undefined {
  if (level === undefined) return undefined;
  const l = level.trim().toLowerCase();
  if (l === "silent" || !(LEVELS as readonly string[]).includes(l)) {
    throw new InvalidParamsError(`--level must be one of ${LEVELS.filter((x) => x !== "silent").join(", ")} (that level and more severe ones), got ${JSON.stringify(level)}`);
  }
  return l as RecordLevel;
}

/** True when `r` is at `level` or more severe (no level: every record). */
export function atLeast(r: LogRecord, level: RecordLevel | undefined): boolean {
  return level === undefined || LEVELS.indexOf(r.level) <= LEVELS.indexOf(level);
}

export function parseRecord(line: string): LogRecord | null {
  if (!line.startsWith("{")) return null;
  try {
    const r = JSON.parse(line) as Partial<LogRecord>;
    if (typeof r.msg !== "string" || typeof r.level !== "string" || !(LEVELS as readonly string[]).includes(r.level)) return null;
    return r as LogRecord;
  } catch {
    return null;
  }
}

/** The lines of one file up to `end`, newest first, reading backwards (the caller stops early by breaking). */
function* linesBackwards(path: string, end?: number): Generator<string> {
  const fd = openSync(path, "r");
  try {
    let pos = Math.min(end ?? Infinity, fstatSync(fd).size);
    let rest = Buffer.alloc(0);
    while (pos > 0) {
      const n = Math.min(CHUNK, pos);
      pos -= n;
      const buf = Buffer.alloc(n);
      readSync(fd, buf, 0, n, pos);
      let data = Buffer.concat([buf, rest]);
      let nl = data.lastIndexOf(0x0a);
      while (nl !== -1) {
        const line = data.subarray(nl + 1).toString("utf8");
        if (line) yield line;
        data = data.subarray(0, nl);
        nl = data.lastIndexOf(0x0a);
      }
      rest = data;
    }
    if (rest.length) yield rest.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

export interface LogTail {
  /** oldest first */
  records: LogRecord[];
  /** the live file's size when it was read: `followLogFile` goes on from here, so no line is lost or doubled */
  size: number;
}

/** The last `lines` records at `level` or above, from the live file and then the rotated ones. */
export function readLogTail(path: string, opts: { lines: number; level?: RecordLevel }): LogTail {
  const out: LogRecord[] = [];
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // no live file (yet)
  }
  for (let n = 0; n <= LOG_FILE_KEEP && out.length < opts.lines; n++) {
    const p = n === 0 ? path : rotatedPath(path, n);
    if (!existsSync(p)) continue;
    for (const line of linesBackwards(p, n === 0 ? size : undefined)) {
      const r = parseRecord(line);
      if (r && atLeast(r, opts.level)) out.push(r);
      if (out.length >= opts.lines) break;
    }
  }
  return { records: out.reverse(), size };
}

/** A record as one text line, the way the logger prints it (`ts LEVEL [scope] msg k=v`). */
export function formatRecord(r: LogRecord): string {
  const { ts, level, scope, msg, ...fields } = r;
  const extra = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
  return [`${ts} ${String(level).toUpperCase()} [${scope}] ${msg}`, ...extra].join(" ");
}
