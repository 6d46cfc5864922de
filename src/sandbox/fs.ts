/**
 * `createSandboxFs`: the file-system facade every file tool uses (at every sandbox level; the
 * file tools run in this process, so this is their boundary even under bubblewrap).
 *
 * Each call: lexical check (`paths.ts`) → real path with every symlink followed, dangling ones too
 * (`resolveLoose`) → inside-check against the allowed real roots → the parent directory opened and
 * checked again through its descriptor (`pinDir`) → the final name opened with O_NOFOLLOW inside
 * that pinned directory. A symlink swapped in anywhere after the first check is therefore caught.
 *
 * Writes: only inside `root` and `allowedPaths`, never under `readOnlyPaths`; missing parent
 * directories are created one by one inside the pinned parent; data goes to a temp file in the
 * target directory, then `rename` (atomic, keeps the old file's mode). `readFile` refuses files
 * over `maxBytes` with `PayloadTooLargeError` rather than returning a silent prefix.
 * Not covered: hard links (a hard link inside the workspace to a file elsewhere reads as inside).
 */
import { randomBytes } from "node:crypto";
import { constants, mkdirSync, realpathSync } from "node:fs";
import { lstat, mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { InvalidParamsError, NotFoundError, PayloadTooLargeError } from "../core/errors.ts";
import { createLogger } from "../core/log.ts";
import type { FileStat, SandboxFs } from "./executor.ts";
import { O_NOFOLLOW, errCode, fdRealPath, notFoundOr, pinDir, resolveLoose, type PinnedDir } from "./fs-resolve.ts";
import { checkReal, displayPath, escapeError, findRoot, normalizeRequest, type AllowedRoot, type PathPolicy } from "./paths.ts";

export interface SandboxFsOptions {
  /** the workspace; created when missing */
  root: string;
  /** more roots, readable and writable */
  allowedPaths?: string[];
  /** readable, never writable (also when inside another root) */
  readOnlyPaths?: string[];
}

const log = createLogger("sandbox:fs");
const DEFAULT_WALK_LIMIT = 10_000;

export function createSandboxFs(opts: SandboxFsOptions): SandboxFs {
  mkdirSync(opts.root, { recursive: true });
  const root = realpathSync(opts.root);
  const toRoot = (given: string): AllowedRoot | undefined => {
    try {
      return { given: resolve(given), real: realpathSync(given) };
    } catch {
      log.warn("allowed path does not exist; ignored", { path: given });
      return undefined;
    }
  };
  const writable = [{ given: resolve(opts.root), real: root }, ...(opts.allowedPaths ?? []).map(toRoot).filter((r) => r !== undefined)];
  const readOnly = (opts.readOnlyPaths ?? []).map(toRoot).filter((r) => r !== undefined);
  const policy: PathPolicy = { root, roots: [...writable, ...readOnly] };
  const readRoots = policy.roots.map((r) => r.real);
  const writeRoots = writable.map((r) => r.real);
  const readOnlyReal = readOnly.map((r) => r.real);

  const checkWrite = (requested: string, real: string) => {
    if (findRoot(real, readOnlyReal)) throw escapeError(requested, policy, "path is read-only");
    checkReal(requested, real, policy, writeRoots);
  };

  /** Lexical + real-path check; returns the real absolute path (which may not exist yet). */
  async function resolvePath(requested: string, forWrite = false): Promise<string> {
    const abs = normalizeRequest(requested, policy);
    if (forWrite) checkWrite(requested, abs);
    const real = await resolveLoose(abs);
    if (forWrite) checkWrite(requested, real);
    else checkReal(requested, real, policy, readRoots);
    return real;
  }

  async function withParent<T>(requested: string, real: string, forWrite: boolean, fn: (dir: PinnedDir, name: string) => Promise<T>): Promise<T> {
    const check = (r: string) => (forWrite ? checkWrite(requested, r) : checkReal(requested, r, policy, readRoots));
    // A root itself would be opened from its parent, which is outside: pin the root and use ".".
    const isRoot = readRoots.includes(real);
    const dir = await pinDir(requested, isRoot ? real : dirname(real), check);
    try {
      return await fn(dir, isRoot ? "." : basename(real));
    } finally {
      await dir.close();
    }
  }

  /** `name` inside the pinned directory (a plain string join: `join` would fold "/." onto the fd link). */
  const entry = (dir: PinnedDir, name: string) => `${dir.path}/${name}`;

  async function statAt(dir: PinnedDir, name: string): Promise<FileStat | null> {
    try {
      const st = await lstat(entry(dir, name));
      const type = st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "other";
      return { path: displayPath(name === "." ? dir.real : join(dir.real, name), root), type, size: st.size, mtimeMs: st.mtimeMs };
    } catch (err) {
      if (errCode(err) === "ENOENT") return null;
      throw err;
    }
  }

  async function mkdirs(requested: string, realDir: string): Promise<void> {
    const top = findRoot(realDir, writeRoots)!;
    const parts = realDir.slice(top.length).split("/").filter(Boolean);
    let at = top;
    for (const part of parts) {
      const next = join(at, part);
      await withParent(requested, next, true, async (dir, name) => {
        try {
          await mkdir(entry(dir, name));
        } catch (err) {
          if (errCode(err) !== "EEXIST") throw notFoundOr(err, requested);
        }
      });
      at = next;
    }
  }

  const fs: SandboxFs = {
    root,

    resolve: (path, o) => resolvePath(path, o?.forWrite ?? false),

    async readFile(path, o) {
      const real = await resolvePath(path);
      return withParent(path, real, false, async (dir, name) => {
        let fh;
        try {
          fh = await open(entry(dir, name), constants.O_RDONLY | O_NOFOLLOW | constants.O_NONBLOCK);
        } catch (err) {
          if (errCode(err) === "ELOOP") throw escapeError(path, policy, "path changed while it was being opened (a symlink was swapped in)");
          if (errCode(err) === "EISDIR") throw new InvalidParamsError(`${path} is a directory; use ls to list it`);
          throw notFoundOr(err, path);
        }
        try {
          checkReal(path, await fdRealPath(fh, real), policy, readRoots);
          const st = await fh.stat();
          if (st.isDirectory()) throw new InvalidParamsError(`${path} is a directory; use ls to list it`);
          if (!st.isFile()) throw new InvalidParamsError(`${path} is not a regular file`);
          if (o?.maxBytes !== undefined && st.size > o.maxBytes) {
            throw new PayloadTooLargeError(`${path} is ${st.size} bytes, over the ${o.maxBytes}-byte limit`);
          }
          const limit = o?.maxBytes ?? st.size;
          const buf = Buffer.alloc(Math.min(st.size, limit));
          let got = 0;
          while (got < buf.length) {
            const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
            if (bytesRead === 0) break;
            got += bytesRead;
          }
          return new Uint8Array(buf.buffer, buf.byteOffset, got);
        } finally {
          await fh.close();
        }
      });
    },

    async writeFile(path, data) {
      const real = await resolvePath(path, true);
      if (writeRoots.includes(real)) throw new InvalidParamsError(`${path} is a directory; give a file path`);
      await mkdirs(path, dirname(real));
      await withParent(path, real, true, async (dir, name) => {
        const target = entry(dir, name);
        const existing = await lstat(target).catch(() => undefined);
        if (existing?.isDirectory()) throw new InvalidParamsError(`${path} is a directory; give a file path`);
        const tmp = entry(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
        const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, 0o644);
        try {
          try {
            if (existing?.isFile()) await fh.chmod(existing.mode & 0o7777);
            await fh.writeFile(data);
          } finally {
            await fh.close();
          }
          await rename(tmp, target);
        } catch (err) {
          await unlink(tmp).catch(() => {});
          throw notFoundOr(err, path);
        }
      });
    },

    async stat(path) {
      const real = await resolvePath(path);
      try {
        return await withParent(path, real, false, statAt);
      } catch (err) {
        if (err instanceof NotFoundError) return null;
        throw err;
      }
    },

    async list(path) {
      const real = await resolvePath(path);
      const dir = await pinDir(path, real, (r) => checkReal(path, r, policy, readRoots));
      try {
        const names = (await readdir(dir.path)).sort();
        const out: FileStat[] = [];
        for (const n of names) {
          const st = await statAt(dir, n);
          if (st) out.push(st);
        }
        return out;
      } finally {
        await dir.close();
      }
    },

    async *walk(path, o) {
      const limit = o?.limit ?? DEFAULT_WALK_LIMIT;
      const skip = new Set(o?.skipDirs ?? []);
      const start = await resolvePath(path);
      const first = await fs.stat(path);
      if (!first) throw notFoundOr(Object.assign(new Error("ENOENT"), { code: "ENOENT" }), path);
      if (first.type !== "dir") {
        yield first;
        return;
      }
      // Pre-order depth-first; each directory is read whole (pinned, checked) and closed before
      // its entries are yielded, so at most one descriptor is open at a time.
      const readDir = async (realDir: string): Promise<{ real: string; entries: FileStat[] }> => {
        const dir = await pinDir(path, realDir, (r) => checkReal(path, r, policy, readRoots));
        try {
          const entries: FileStat[] = [];
          for (const n of (await readdir(dir.path)).sort()) {
            const st = await statAt(dir, n);
            if (st) entries.push(st);
          }
          return { real: dir.real, entries };
        } finally {
          await dir.close();
        }
      };
      let count = 0;
      const stack = [{ ...(await readDir(start)), i: 0 }];
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const st = top.entries[top.i++];
        if (!st) {
          stack.pop();
          continue;
        }
        if (count++ >= limit) return;
        yield st;
        const name = st.path.slice(st.path.lastIndexOf("/") + 1);
        if (st.type === "dir" && !skip.has(name)) stack.push({ ...(await readDir(join(top.real, name))), i: 0 });
      }
    },
  };
  return fs;
}
