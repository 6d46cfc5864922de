// ClusterEvents (gateway/cluster-events.ts) between a real Hub and an in-memory pair of fan-outs
// wired back to back: what leaves a node (client-safe error texts, only the events clients see) and
// what a remote event does on the other node (its hub's subscribers get it; malformed ones are dropped).
import { describe, expect, test } from "bun:test";
import type { AgentEvent } from "../../src/agent/types.ts";
import { createLogger } from "../../src/core/log.ts";
import { emptyUsage } from "../../src/core/messages.ts";
import { ClusterEvents } from "../../src/gateway/cluster-events.ts";
import { Hub, type Subscriber } from "../../src/gateway/hub.ts";
import { jsonRpcCodec } from "../../src/gateway/rpc/codec.ts";
import type { Fanout, FanoutEvent } from "../../src/store/fanout.ts";

/** Two fan-outs connected to each other in memory; `wire` records what crossed (as JSON text, as PgFanout would send it). */
function pair() {
  const wire: string[] = [];
  const listeners: [((e: FanoutEvent) => void)[], ((e: FanoutEvent) => void)[]] = [[], []];
  const side = (me: 0 | 1): Fanout => ({
    multiNode: true,
    publish: (e) => {
      const text = JSON.stringify(e);
      wire.push(text);
      for (const l of listeners[me === 0 ? 1 : 0]) l(JSON.parse(text));
    },
    onRemote: (l) => {
      listeners[me].push(l);
      return () => listeners[me].splice(listeners[me].indexOf(l), 1);
    },
    flush: async () => {},
    stats: () => ({ origin: String(me), kind: "postgres", published: 0, sent: 0, viaOutbox: 0, received: 0, lost: 0, failed: 0, queued: 0, listening: true }),
    close: async () => {},
  });
  return { wire, a: side(0), b: side(1) };
}

function subscriber(): Subscriber & { got: any[] } {
  const got: any[] = [];
  return { id: "c1", codec: jsonRpcCodec, send: (t) => got.push(JSON.parse(t).params), got };
}

const log = createLogger("test");
const KEY = "agent:main:main";

describe("ClusterEvents", () => {
  test("an unsafe error text never leaves the node; the remote client sees what a local one sees", () => {
    const { wire, a, b } = pair();
    const hubA = new Hub();
    const hubB = new Hub();
    const onA = new ClusterEvents(a, hubA, log);
    new ClusterEvents(b, hubB, log);
    const local = subscriber();
    const remote = subscriber();
    hubA.subscribe(KEY, local);
    hubB.subscribe(KEY, remote);
    const secret = "/var/lib/openclaw/state.db: SQLITE_IOERR near INSERT INTO events";
    const events: AgentEvent[] = [
      { type: "run_started", runId: "r1", sessionKey: KEY, ts: 1, model: "m" },
      { type: "text_delta", runId: "r1", sessionKey: KEY, text: "par" },
      { type: "thinking_delta", runId: "r1", sessionKey: KEY, text: "private thoughts" },
      { type: "error", runId: "r1", sessionKey: KEY, cause: "storage_error", error: { type: "StorageError", message: secret } },
      {
        type: "final", runId: "r1", sessionKey: KEY, text: "par", outcome: "error", cause: "storage_error",
        usage: emptyUsage(), durationMs: 5, reason: secret,
      },
    ];
    for (const ev of events) {
      hubA.publish(ev); // as gateway.ts does: the hub, then the cluster
      onA.local(ev);
    }
    expect(wire.join("\n")).not.toContain("SQLITE_IOERR");
    expect(wire.join("\n")).not.toContain("private thoughts"); // not streamed to clients, so not sent
    expect(wire.map((t) => JSON.parse(t).type)).toEqual(["run_started", "text_delta", "error", "final"]);
    expect(remote.got).toEqual(local.got);
    expect(remote.got.map((p) => p.event.type)).toEqual(["text_delta", "error", "final"]);
    expect(remote.got[1].event.error.message).not.toContain("SQLITE");
  });

  test("remote run starts reach onRemote listeners; malformed remote events are dropped; dispose stops both", () => {
    const { a, b } = pair();
    const hubB = new Hub();
    const onB = new ClusterEvents(b, hubB, log);
    const sub = subscriber();
    hubB.subscribe(KEY, sub);
    const starts: string[] = [];
    onB.onRemote((ev) => void (ev.type === "run_started" && starts.push(ev.runId)));
    a.publish({ sessionKey: KEY, type: "run_started", runId: "r9", ts: 1, model: "m" });
    a.publish({ sessionKey: KEY, type: "text_delta", text: "no run id" }); // malformed
    a.publish({ sessionKey: KEY, type: "drop_table", runId: "r9" }); // unknown type
    a.publish({ sessionKey: KEY, type: "text_delta", runId: "r9", text: "ok" });
    expect(starts).toEqual(["r9"]);
    expect(sub.got.map((p) => p.event.text)).toEqual(["ok"]);
    onB.dispose();
    a.publish({ sessionKey: KEY, type: "text_delta", runId: "r9", text: "after" });
    expect(sub.got.length).toBe(1);
  });

  test("a reset or delete through one node's gateway reaches the other's session-change callback", () => {
    const { a, b } = pair();
    const changes: unknown[] = [];
    const onA = new ClusterEvents(a, new Hub(), log);
    new ClusterEvents(b, new Hub(), log, (c) => changes.push(c));
    onA.sessionChanged({ sessionKey: KEY, reason: "reset" });
    onA.sessionChanged({ sessionKey: KEY, reason: "delete" });
    a.publish({ sessionKey: KEY, type: "session_changed", reason: "nonsense" });
    expect(changes).toEqual([{ sessionKey: KEY, reason: "reset" }, { sessionKey: KEY, reason: "delete" }]);
  });
});
