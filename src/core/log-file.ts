/**
 * The gateway's log file: every log record (already redacted by log.ts, and redacted once more
 * here as a whole line) appended as one JSON object per line to `<state dir>/logs/gateway.log`.
 * The file is size-capped: a line that would take it past `maxBytes` first rotates it
 * (`gateway.log` → `.1` → `.2` …, the oldest beyond `keep` deleted), so the logs take at most
 * `(keep + 1) × maxBytes` on disk. File 0600, directory 0700 (tightened if they were looser).
 *
 * Writes are synchronous (one `writeSync` per record) so the last line before a crash or an exit
 * is on disk. A failing write (disk full, the file removed) never throws into the caller: the sink
 * reopens the file on the next record and reports the failure once on stderr.
 */
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { errorMessage } from "./errors.ts";
import { onLog, type LogRecord } from "./log.ts";
import { redact } from "./secrets.ts";

export const LOG_FILE_MAX_BYTES = 10 * 1024 * 1024;
export const LOG_FILE_KEEP = 3;

export interface LogFileOptions {
  path: string;
  /** rotate before the file would pass this size (default 10 MiB) */
  maxBytes?: number;
  /** rotated files kept beside the live one (default 3) */
  keep?: number;
}

export interface LogFile {
  readonly path: string;
  write(record: LogRecord): void;
  close(): void;
}

/** The rotated file `n` (1 = newest) of `path`. */
export const rotatedPath = (path: string, n: number): string => `${path}.${n}`;

function tighten(path: string, mode: number): void {
  try {
    if ((statSync(path).mode & 0o777 & ~mode) !== 0) chmodSync(path, mode);
  } catch {
    // gone or not ours: the open below reports what matters
  }
}

export function openLogFile(opts: LogFileOptions): LogFile {
  const { path } = opts;
  const maxBytes = Math.max(1024, opts.maxBytes ?? LOG_FILE_MAX_BYTES);
  const keep = Math.max(0, opts.keep ?? LOG_FILE_KEEP);
  let fd: number | null = null;
  let size = 0;
  let reported = false;

  const open = (): number => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    tighten(dirname(path), 0o700);
    const f = openSync(path, "a", 0o600);
    tighten(path, 0o600);
    size = fstatSync(f).size;
    return f;
  };
  const closeFd = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
  };
  const rotate = () => {
    closeFd();
    rmSync(rotatedPath(path, keep), { force: true });
    for (let n = keep - 1; n >= 1; n--) {
      try {
        renameSync(rotatedPath(path, n), rotatedPath(path, n + 1));
      } catch {
        // that generation does not exist yet
      }
    }
    if (keep > 0) renameSync(path, rotatedPath(path, 1));
    else rmSync(path, { force: true });
  };

  const file: LogFile = {
    path,
    write(record) {
      const line = Buffer.from(redact(JSON.stringify(record)) + "\n", "utf8");
      try {
        fd ??= open();
        if (size > 0 && size + line.length > maxBytes) {
          rotate();
          fd = open();
        }
        writeSync(fd, line);
        size += line.length;
        reported = false;
      } catch (err) {
        try {
          closeFd();
        } catch {
          // already unusable
        }
        if (!reported) process.stderr.write(`log file ${path}: write failed (${redact(errorMessage(err))}); logging to stderr only until it works again\n`);
        reported = true;
      }
    },
    close: closeFd,
  };
  return file;
}

/** Sends every log record to the file as well as to the usual sink; returns the uninstall (closes the file). */
export function installLogFile(opts: LogFileOptions): () => void {
  const file = openLogFile(opts);
  const off = onLog((r) => file.write(r));
  return () => {
    off();
    file.close();
  };
}
