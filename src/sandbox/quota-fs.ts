/**
 * The disk limits exec has, applied to the file tools too: a `SandboxFs` whose `writeFile` refuses
 * (StorageFullError, written for the model) when the write would
 *   - leave the disk that holds the file with less free than `limits.diskReserveMb` (the reserve
 *     that lets the session database always record its runs), or
 *   - take the workspace past `tools.exec.maxWorkspaceMb` (measured as exec measures it: allocated
 *     blocks under the workspace; the file's old size is credited, since it is replaced).
 * Without a workspace cap the check is one statfs per write; with one, a walk of the workspace.
 */
import { lstatSync } from "node:fs";
import { dirname } from "node:path";
import { StorageFullError } from "../core/errors.ts";
import type { SandboxLimits } from "../config/schema.ts";
import { DEFAULT_DISK_RESERVE_MB } from "./exec-guard.ts";
import type { SandboxFs } from "./executor.ts";
import { isInside } from "./paths.ts";
import { diskUsage } from "./workspace-usage.ts";
import { freeBytes } from "./write-watch.ts";

const MiB = 1024 * 1024;

export interface QuotaOptions {
  workspace: string;
  limits: SandboxLimits;
  maxWorkspaceMb?: number | undefined;
  /** free bytes on the file system holding a path (null: unknown); injectable for tests */
  free?: (path: string) => number | null;
}

export function quotaFs(inner: SandboxFs, o: QuotaOptions): SandboxFs {
  const free = o.free ?? freeBytes;
  const reserveMb = o.limits.diskReserveMb ?? DEFAULT_DISK_RESERVE_MB;
  const check = (real: string, bytes: number): void => {
    const old = sizeOf(real);
    const growth = Math.max(0, bytes - old);
    const f = free(dirname(real));
    if (f !== null && f - growth < reserveMb * MiB) {
      throw new StorageFullError(
        `not written: ${real} needs ${mb(growth)} MB and the disk has ${mb(f)} MB free, under the ${reserveMb} MB (limits.diskReserveMb) kept so the session database can always record its runs; free disk space (delete build output or caches) and retry`,
      );
    }
    if (o.maxWorkspaceMb !== undefined && isInside(real, o.workspace)) {
      const used = diskUsage(o.workspace);
      if (used - old + bytes > o.maxWorkspaceMb * MiB) {
        throw new StorageFullError(
          `not written: the workspace ${o.workspace} uses ${mb(used)} MB and this ${mb(bytes)} MB file would take it past its cap tools.exec.maxWorkspaceMb=${o.maxWorkspaceMb}; delete files it no longer needs and retry`,
        );
      }
    }
  };
  return {
    ...inner,
    resolve: (path, opts) => inner.resolve(path, opts),
    readFile: (path, opts) => inner.readFile(path, opts),
    stat: (path) => inner.stat(path),
    list: (path) => inner.list(path),
    walk: (path, opts) => inner.walk(path, opts),
    async writeFile(path, data) {
      const real = await inner.resolve(path, { forWrite: true });
      check(real, typeof data === "string" ? Buffer.byteLength(data) : data.byteLength);
      return inner.writeFile(path, data);
    },
  };
}

function sizeOf(path: string): number {
  try {
    return lstatSync(path).size;
  } catch {
    return 0;
  }
}

const mb = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10;
