/**
 * Atomic config write: temp file in the same directory (mode 0600, exclusive create) → write →
 * fsync → rename over the target → fsync the directory. A reader sees the old file or the new one,
 * never half of one. A missing directory is created with mode 0700. A symlinked config is followed,
 * so the link keeps pointing at the real file. JSON5 comments are not preserved: the file is
 * written as formatted JSON (which is valid JSON5).
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, writeSync, chmodSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ConfigError, errorMessage } from "../core/errors.ts";

export function serializeConfig(doc: Record<string, unknown>): string {
  return JSON.stringify(doc, null, 2) + "\n";
}

function targetOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function writeConfigFile(path: string, doc: Record<string, unknown>): void {
  const target = targetOf(path);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, "wx", 0o600);
    try {
      writeSync(fd, serializeConfig(doc));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600); // the umask cannot widen it, but be explicit
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new ConfigError(`cannot write config ${target}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    const dfd = openSync(dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic
  }
}
