/**
 * gateway.memory (admin): where the process's memory is, read from outside. `gc: true` runs a full
 * synchronous collection first (Bun.gc(true)) so the figures are what is live, not what is garbage.
 * Returns the RSS and, on Linux, /proc/self/smaps_rollup (kB fields as bytes: anonymous vs
 * file-backed), JSC heap statistics (the 20 most numerous object types), the SQLite file's page
 * figures (page_count × page_size, freelist, WAL size; the per-connection page cache is at most
 * `cache_size` pages — bun:sqlite does not expose sqlite3_memory_used) and the sizes of the
 * gateway's bounded per-client structures. docs/memory.md explains each number.
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, statSync } from "node:fs";
import { heapStats } from "bun:jsc";
import { JSC_RAM_ENV } from "../../../core/heap-budget.ts";
import { z } from "zod";
import type { Gateway } from "../../gateway.ts";
import { defineMethod, type MethodDef } from "../method.ts";

const SMAPS_FIELDS = ["Rss", "Pss", "Pss_Anon", "Pss_File", "Pss_Shmem", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Anonymous", "Swap"];

/** /proc/self/smaps_rollup as bytes per field, or null off Linux. */
export function smapsRollup(path = "/proc/self/smaps_rollup"): Record<string, number> | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m && SMAPS_FIELDS.includes(m[1]!)) out[m[1]!] = Number(m[2]) * 1024;
  }
  return out;
}

/** The store file's page figures, read on a separate read-only connection (null for a non-file store). */
export function sqliteFigures(path: string | undefined): Record<string, number> | null {
  if (!path || path === ":memory:" || !existsSync(path)) return null;
  const db = new Database(path, { readonly: true });
  try {
    const one = (pragma: string) => Number(Object.values(db.query(`PRAGMA ${pragma}`).get() as Record<string, unknown>)[0]);
    const pageSize = one("page_size");
    const wal = `${path}-wal`;
    return {
      pageSize,
      pageCount: one("page_count"),
      freelistCount: one("freelist_count"),
      fileBytes: statSync(path).size,
      walBytes: existsSync(wal) ? statSync(wal).size : 0,
      // per-connection defaults (db.ts sets neither): a negative cache_size is KiB
      cacheSizeSetting: one("cache_size"),
      mmapSizeBytes: one("mmap_size"),
    };
  } finally {
    db.close();
  }
}

export function memorySnapshot(gw: Gateway, gc: boolean) {
  if (gc) Bun.gc(true);
  const mem = process.memoryUsage();
  const h = heapStats();
  const topTypes = Object.entries(h.objectTypeCounts).sort((a, b) => b[1] - a[1]).slice(0, 20);
  const storePath = (gw.store as { path?: unknown }).path;
  return {
    gc,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    externalBytes: mem.external,
    arrayBuffersBytes: mem.arrayBuffers,
    smapsRollup: smapsRollup(),
    /** the RAM size JSC sizes its GC budget from (core/heap-budget.ts); null = the machine's */
    jscRamSizeBytes: process.env[JSC_RAM_ENV] ? Number(process.env[JSC_RAM_ENV]) : null,
    heap: { heapSize: h.heapSize, heapCapacity: h.heapCapacity, extraMemorySize: h.extraMemorySize, objectCount: h.objectCount, protectedObjectCount: h.protectedObjectCount, topTypes: Object.fromEntries(topTypes) },
    sqlite: sqliteFigures(typeof storePath === "string" ? storePath : undefined),
    structures: {
      connections: gw.connections.size,
      hub: gw.hub.stats(),
      fanout: gw.cluster.fanout.stats(),
      authRateLimitEntries: gw.limiter.size(),
      dashboardSessions: gw.dashboard.sessionCount,
      dashboardCodes: gw.dashboard.codeCount,
      recentLogs: gw.recentLogs.length,
      runsInFlight: gw.runtime.runs().length,
      ...(gw.runtime.memoryStats ? { runtime: gw.runtime.memoryStats() } : {}),
    },
  };
}

export function memoryMethods(gw: Gateway): MethodDef[] {
  return [
    defineMethod({
      name: "gateway.memory",
      scope: "admin",
      params: z.strictObject({ gc: z.boolean().optional() }),
      handler: (p) => memorySnapshot(gw, p.gc ?? false),
    }),
  ];
}
