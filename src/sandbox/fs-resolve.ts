/**
 * File-system halves of the path policy: resolving real paths (dangling symlinks included) and
 * pinning a checked directory by file descriptor so that later operations cannot be redirected by
 * a symlink swapped in after the check.
 *
 * On Linux a pinned directory is used through `/proc/self/fd/N/<name>`: the kernel resolves that
 * like `openat(N, name)`, so a rename or symlink swap of any ancestor after the check changes
 * nothing. Elsewhere the directory is re-resolved and re-checked right before use (a smaller window).
 */
import { constants, existsSync } from "node:fs";
import { lstat, open, readlink, realpath, type FileHandle } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { InvalidParamsError, NotFoundError } from "../core/errors.ts";
import { PathEscapeError } from "./executor.ts";

const HAS_PROC_FD = process.platform === "linux" && existsSync("/proc/self/fd");
const MAX_LINKS = 40;

export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;

export function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The real path of `abs`, following every symlink, also when the target (or a parent) does not
 * exist yet: then the missing tail is appended lexically. A dangling link's target is therefore
 * visible to the caller's inside-check.
 */
export async function resolveLoose(abs: string): Promise<string> {
  try {
    return await realpath(abs);
  } catch (err) {
    const code = errCode(err);
    if (code === "ELOOP") throw new InvalidParamsError(`too many levels of symbolic links: ${abs}`);
    if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
  }
  let done: string = sep;
  let rest = abs.split(sep).filter(Boolean);
  let hops = 0;
  while (rest.length > 0) {
    const name = rest.shift()!;
    if (name === ".") continue;
    if (name === "..") {
      done = dirname(done);
      continue;
    }
    const next = join(done, name);
    let isLink = false;
    try {
      isLink = (await lstat(next)).isSymbolicLink();
    } catch (err) {
      const code = errCode(err);
      if (code === "ENOENT" || code === "ENOTDIR") return resolve(next, ...rest);
      throw err;
    }
    if (!isLink) {
      done = next;
      continue;
    }
    if (++hops > MAX_LINKS) throw new InvalidParamsError(`too many levels of symbolic links: ${abs}`);
    const target = await readlink(next);
    rest = [...target.split(sep).filter(Boolean), ...rest];
    if (isAbsolute(target)) done = sep;
  }
  return done;
}

export interface PinnedDir {
  /** use `${path}/${name}` for every operation inside the directory */
  path: string;
  /** the directory's real path as the kernel sees it after opening */
  real: string;
  close(): Promise<void>;
}

/**
 * Open the directory `realDir` and check where it really is. `check` gets the real path seen
 * through the descriptor and throws when that is outside the allowed roots.
 */
export async function pinDir(requested: string, realDir: string, check: (real: string) => void): Promise<PinnedDir> {
  if (!HAS_PROC_FD) {
    let again: string;
    try {
      again = await realpath(realDir);
    } catch (err) {
      throw notFoundOr(err, requested);
    }
    check(again);
    return { path: again, real: again, close: async () => {} };
  }
  let fh;
  try {
    fh = await open(realDir, constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (err) {
    const code = errCode(err);
    if (code === "ELOOP" || code === "ENOTDIR") throw new PathEscapeError(`path changed while it was being opened (a symlink was swapped in): ${requested}`);
    throw notFoundOr(err, requested);
  }
  try {
    const real = await readlink(`/proc/self/fd/${fh.fd}`);
    check(real);
    const handle = fh;
    return { path: `/proc/self/fd/${fh.fd}`, real, close: () => handle.close() };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** The real path of an open file, from the kernel (Linux) or by re-resolving and comparing inodes. */
export async function fdRealPath(fh: FileHandle, expected: string): Promise<string> {
  if (HAS_PROC_FD) return (await readlink(`/proc/self/fd/${fh.fd}`)).replace(/ \(deleted\)$/, "");
  const again = await realpath(expected);
  const [a, b] = await Promise.all([fh.stat(), lstat(again)]);
  if (a.dev !== b.dev || a.ino !== b.ino) throw new PathEscapeError(`path changed while it was being opened: ${expected}`);
  return again;
}

export function notFoundOr(err: unknown, requested: string): unknown {
  const code = errCode(err);
  if (code === "ENOENT") return new NotFoundError(`file not found: ${requested}; check the path with ls or glob first`);
  if (code === "ENOTDIR") return new NotFoundError(`not a directory: a part of ${requested} is a file`);
  if (code === "EACCES" || code === "EPERM") return new PathEscapeError(`permission denied: ${requested}`);
  return err;
}
