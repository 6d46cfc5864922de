/**
 * `PgFanout`: run events between gateway nodes on one PostgreSQL database through LISTEN/NOTIFY on
 * one channel per schema. Three connections per node: ONE for publishing (fanout-publisher.ts, a
 * serial queue: per-session order), the dedicated LISTEN connection Bun's `sql.listen` opens and
 * one for reading large events from the outbox (fanout-receiver.ts). Bun reconnects the LISTEN
 * connection by itself (with backoff) and subscribes again; what was notified in between is lost to
 * live streaming (counted, logged once per outage), and clients read it from the log by seq.
 */
import { SQL } from "bun";
import { errorMessage, StorageError } from "../../core/errors.ts";
import { createLogger, type Logger } from "../../core/log.ts";
import type { Fanout, FanoutEvent, FanoutStats } from "../fanout.ts";
import { mapPgError } from "./errors.ts";
import { channelFor } from "./fanout-envelope.ts";
import { FanoutPublisher, type PublisherOptions } from "./fanout-publisher.ts";
import { FanoutReceiver } from "./fanout-receiver.ts";

export interface PgFanoutOptions extends Pick<PublisherOptions, "maxNotifyBytes" | "retentionMs" | "pruneEveryMs" | "maxQueued"> {
  url: string;
  schema?: string;
  /** this node's id in envelopes (default: random per process start) */
  origin?: string;
  log?: Logger;
  clock?: () => number;
  /** how long close() lets queued events go out (default 2000 ms) */
  closeGraceMs?: number;
}

export class PgFanout implements Fanout {
  readonly multiNode = true;
  readonly origin: string;
  readonly channel: string;
  readonly #tx: SQL;
  readonly #rx: SQL;
  readonly #rd: SQL;
  readonly #pub: FanoutPublisher;
  readonly #recv: FanoutReceiver;
  readonly #log: Logger;
  readonly #closeGraceMs: number;
  #sub: SQL.ListenSubscription | null = null;
  #listening = false;
  #subscriptions = 0;
  #closing: Promise<void> | null = null;

  constructor(opts: PgFanoutOptions) {
    const schema = opts.schema ?? "openclaw";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new StorageError(`storage.schema ${JSON.stringify(schema)}: expected a lower-case SQL identifier`);
    this.origin = opts.origin ?? `${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
    this.channel = channelFor(schema);
    this.#log = opts.log ?? createLogger("fanout");
    this.#closeGraceMs = opts.closeGraceMs ?? 2000;
    const connection = { search_path: schema };
    this.#tx = new SQL(opts.url, { max: 1, connection });
    // only ever used for listen(): its onclose is the LISTEN connection dropping
    this.#rx = new SQL(opts.url, { max: 1, connection, onclose: () => this.#onDrop() });
    this.#rd = new SQL(opts.url, { max: 1, connection });
    const clock = opts.clock ?? Date.now;
    this.#pub = new FanoutPublisher({ ...opts, sql: this.#tx, channel: this.channel, origin: this.origin, log: this.#log, clock });
    this.#recv = new FanoutReceiver({ sql: this.#rd, origin: this.origin, log: this.#log });
  }

  /** Subscribe to the channel; resolves once PostgreSQL acknowledged the LISTEN. */
  async start(): Promise<void> {
    try {
      this.#sub = await this.#rx.listen(this.channel, (p) => this.#recv.onPayload(p), () => this.#onListen());
    } catch (err) {
      throw mapPgError(err, "subscribing to the fan-out channel");
    }
    // rows a stopped node left behind (pruning otherwise follows outbox writes); in the background, never fatal
    void this.#pub.prune().catch((err: unknown) => {
      if (!this.#closing) this.#log.warn("fan-out: pruning the outbox failed", { error: errorMessage(err) });
    });
  }

  #onDrop(): void {
    const was = this.#listening;
    this.#listening = false;
    if (was && !this.#closing) {
      this.#log.warn("fan-out: the LISTEN connection to PostgreSQL dropped; run events of other nodes are not streamed here until it is back (it reconnects by itself)");
    }
  }

  #onListen(): void {
    this.#listening = true;
    if (++this.#subscriptions > 1) {
      this.#log.info("fan-out: listening again after the connection to PostgreSQL dropped; events sent meanwhile were not streamed (clients resume from the log by seq)", {
        lost: this.#recv.counts.lost,
      });
    }
  }

  publish(event: FanoutEvent): void {
    if (this.#closing) return;
    this.#pub.publish(event);
  }

  onRemote(listener: (event: FanoutEvent) => void): () => void {
    return this.#recv.on(listener);
  }

  flush(): Promise<void> {
    return this.#pub.flush();
  }

  /** Delete outbox rows past the retention now (also done after outbox writes, at most every pruneEveryMs). */
  prune(): Promise<number> {
    return this.#pub.prune();
  }

  stats(): FanoutStats {
    const { published, sent, viaOutbox, failed } = this.#pub.counts;
    const { received, lost } = this.#recv.counts;
    return { origin: this.origin, kind: "postgres", published, sent, viaOutbox, received, lost, failed, queued: this.#pub.queued, listening: this.#listening };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.#pub.flush(), new Promise<void>((r) => (timer = setTimeout(r, this.#closeGraceMs)))]);
      clearTimeout(timer);
      this.#pub.discard();
      this.#recv.close();
      this.#listening = false;
      await this.#sub?.unlisten().catch(() => {});
      await Promise.all([this.#tx, this.#rx, this.#rd].map((c) => c.close({ timeout: 1 }))).catch(() => {});
    })();
    return this.#closing;
  }
}

/** A started PgFanout (subscribed), or a StorageError naming the fix. */
export async function openPgFanout(opts: PgFanoutOptions): Promise<PgFanout> {
  const f = new PgFanout(opts);
  try {
    await f.start();
  } catch (err) {
    await f.close();
    throw err;
  }
  return f;
}
