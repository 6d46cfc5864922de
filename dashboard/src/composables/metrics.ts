/** `metrics.snapshot` polled every 5 s while a page shows it (the gateway samples every 5 s). */
import { ref, shallowRef } from "vue";
import type { Connection } from "./connection.ts";
import { messageOf } from "../rpc/errors.ts";
import type { MetricsSnapshot } from "../rpc/types.ts";

export const POLL_MS = 5000;

export function createMetrics(conn: Connection, timers: { set: (fn: () => void, ms: number) => unknown; clear: (h: unknown) => void } = {
  set: (fn, ms) => setInterval(fn, ms),
  clear: (h) => clearInterval(h as ReturnType<typeof setInterval>),
}) {
  const snapshot = shallowRef<MetricsSnapshot | null>(null);
  const error = ref<string | null>(null);
  let handle: unknown = null;

  async function poll() {
    try {
      snapshot.value = await conn.call("metrics.snapshot", {});
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  const offOpen = conn.onOpen(() => void poll());
  handle = timers.set(() => void poll(), POLL_MS);
  const dispose = () => {
    offOpen();
    if (handle !== null) timers.clear(handle);
    handle = null;
  };
  return { snapshot, error, poll, dispose };
}
