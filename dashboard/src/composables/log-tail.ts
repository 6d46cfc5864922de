/**
 * The live log tail: `logs.tail` with follow, then `logs.record` notifications. Bounded: at most
 * MAX_RECORDS kept (oldest dropped). Paused, new records wait in a bounded queue and appear on
 * resume. Filtering (level, text) is a view over the kept records.
 */
import { computed, ref, shallowRef } from "vue";
import type { Connection } from "./connection.ts";
import { messageOf } from "../rpc/errors.ts";
import type { LogRecord } from "../rpc/types.ts";

export const MAX_RECORDS = 1000;
const RANK: Record<string, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

export interface TailLine extends LogRecord {
  lineId: number;
}

export function createLogTail(conn: Connection) {
  const records = shallowRef<TailLine[]>([]);
  const paused = ref(false);
  const level = ref<"all" | LogRecord["level"]>("all");
  const search = ref("");
  const error = ref<string | null>(null);
  const queued = ref(0);
  let queue: LogRecord[] = [];
  let nextId = 1;

  function add(list: readonly LogRecord[]) {
    const merged = [...records.value, ...list.map((r) => ({ ...r, lineId: nextId++ }))];
    records.value = merged.length > MAX_RECORDS ? merged.slice(merged.length - MAX_RECORDS) : merged;
  }

  function onRecord(record: LogRecord) {
    if (!record || typeof record.msg !== "string") return;
    if (paused.value) {
      queue.push(record);
      if (queue.length > MAX_RECORDS) queue = queue.slice(queue.length - MAX_RECORDS);
      queued.value = queue.length;
    } else add([record]);
  }

  async function start() {
    try {
      error.value = null;
      const r = await conn.call("logs.tail", { lines: 200, follow: true });
      records.value = [];
      add(r.records);
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  function setPaused(on: boolean) {
    paused.value = on;
    if (!on && queue.length) {
      add(queue);
      queue = [];
      queued.value = 0;
    }
  }

  const visible = computed(() => {
    const max = level.value === "all" ? 9 : RANK[level.value]!;
    const q = search.value.trim().toLowerCase();
    return records.value.filter((r) => (RANK[r.level] ?? 9) <= max && (!q || r.msg.toLowerCase().includes(q) || r.scope.toLowerCase().includes(q)));
  });

  const offRecord = conn.on("logs.record", onRecord);
  const offOpen = conn.onOpen(() => void start());
  /** Leaving the page: stop the gateway streaming records to this connection (`follow: false`). */
  const dispose = () => {
    offRecord();
    offOpen();
    if (conn.state.value === "connected") void conn.call("logs.tail", { lines: 0, follow: false }).catch(() => {});
  };
  return { records, visible, paused, level, search, error, queued, setPaused, dispose };
}
