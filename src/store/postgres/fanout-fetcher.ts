/**
 * Reads large events from `fanout_outbox` for the receiver. Every id asked for in the same tick goes
 * into one query (a NOTIFY batch of many large events costs one round trip, not one per event);
 * a failed query is tried again (up to 3 times, pausing between). Resolves each id to its row's
 * payload text, or null when the row is gone (pruned) or could not be read; never rejects.
 */
import type { SQL } from "bun";
import { errorMessage } from "../../core/errors.ts";

const TRIES = 3;
const MAX_IDS = 500;

export type Fetched = { payload: string } | { missing: true } | { failed: string };

export class OutboxFetcher {
  #pending = new Map<string, ((r: Fetched) => void)[]>();
  #scheduled = false;
  #closed = false;

  constructor(private readonly sql: SQL) {}

  get(id: string): Promise<Fetched> {
    return new Promise((resolve) => {
      if (this.#closed) return resolve({ failed: "closed" });
      const waiters = this.#pending.get(id);
      if (waiters) waiters.push(resolve);
      else this.#pending.set(id, [resolve]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  close(): void {
    this.#closed = true;
    const all = this.#pending;
    this.#pending = new Map();
    for (const ws of all.values()) for (const w of ws) w({ failed: "closed" });
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    while (this.#pending.size > 0 && !this.#closed) {
      const batch = [...this.#pending.entries()].slice(0, MAX_IDS);
      for (const [id] of batch) this.#pending.delete(id);
      const result = await this.#read(batch.map(([id]) => id));
      for (const [id, waiters] of batch) {
        const r: Fetched = typeof result === "string" ? { failed: result } : result.has(id) ? { payload: result.get(id)! } : { missing: true };
        for (const w of waiters) w(r);
      }
    }
  }

  /** id → payload of the rows found, or the last error's text. */
  async #read(ids: string[]): Promise<Map<string, string> | string> {
    let last = "";
    for (let attempt = 1; attempt <= TRIES && !this.#closed; attempt++) {
      try {
        const rows = await this.sql.unsafe("SELECT id, payload FROM fanout_outbox WHERE id IN (SELECT json_array_elements_text($1::text::json)::bigint)", [JSON.stringify(ids)]);
        return new Map((rows as { id: unknown; payload: string }[]).map((r) => [String(r.id), r.payload]));
      } catch (err) {
        last = errorMessage(err);
        if (attempt < TRIES) await Bun.sleep(100 * attempt);
      }
    }
    return last || "closed";
  }
}
