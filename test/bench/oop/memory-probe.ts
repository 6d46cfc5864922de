/**
 * Reads a running binary's memory from outside: `gateway.memory` over its HTTP JSON-RPC endpoint
 * (admin scope, the bench token), optionally after a full GC in the gateway.
 */
import { readFileSync } from "node:fs";
import { BENCH_TOKEN } from "./gateway-proc.ts";

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
  smapsRollup: Record<string, number> | null;
  heap: { heapSize: number; objectCount: number; extraMemorySize: number; topTypes: Record<string, number> };
  sqlite: Record<string, number> | null;
  structures: Record<string, unknown>;
}

export async function readMemory(port: number, gc: boolean): Promise<MemoryReading> {
  const res = await fetch(`http://127.0.0.1:${port}/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "gateway.memory", params: { gc }, id: 1 }),
  });
  const body = (await res.json()) as { result?: MemoryReading; error?: { message: string } };
  if (!body.result) throw new Error(`gateway.memory failed: ${body.error?.message ?? res.status}`);
  return body.result;
}

export const mib = (bytes: number): number => bytes / (1024 * 1024);

/**
 * /proc/<pid>/smaps summed by kind of mapping (Rss bytes): `brk` ([heap], malloc's brk arena),
 * `anonMmap` (unnamed anonymous mappings: mmap'd allocator arenas, the JSC heap, buffers), `file`
 * (the executable, libraries, any mapped file), `other` ([stack], [vdso], …). Null off Linux.
 */
export function smapsByKind(pid: number): { brk: number; anonMmap: number; file: number; other: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, "utf8");
  } catch {
    return null;
  }
  const out = { brk: 0, anonMmap: 0, file: 0, other: 0 };
  let kind: keyof typeof out = "other";
  for (const line of text.split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1]!.trim();
      kind = name === "" ? "anonMmap" : name === "[heap]" ? "brk" : name.startsWith("/") ? "file" : "other";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB$/.exec(line);
    if (rss) out[kind] += Number(rss[1]) * 1024;
  }
  return out;
}
