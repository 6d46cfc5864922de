/**
 * Reads a running binary's memory from outside: `gateway.memory` over its HTTP JSON-RPC endpoint
 * (admin scope, the bench token), optionally after a full GC in the gateway.
 */
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
