/**
 * The floors the out-of-process benchmark compares the gateway against, each a bare Bun.serve
 * WebSocket server in its own process on 127.0.0.1:0, answering `{id, s, text}` with `{id}`:
 *   echo     parse the JSON, answer: the cost of WebSocket + JSON alone
 *   commit   the same, after the message is durable: every message received within one tick goes
 *            into one `BEGIN IMMEDIATE … COMMIT` on SQLite (WAL, synchronous=FULL), the way the
 *            store's group commit batches, and the answers go out after COMMIT returns
 * `bun test/bench/oop/floor.ts echo|commit` prints `FLOOR_URL=ws://127.0.0.1:<port>/ws`.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerWebSocket } from "bun";

const mode = process.argv[2];
if (mode !== "echo" && mode !== "commit") {
  console.error("usage: floor.ts echo|commit");
  process.exit(2);
}

type Pending = { ws: ServerWebSocket<undefined>; id: number; s: string; raw: string };
let pending: Pending[] = [];
let db: Database | undefined;
let insert: ReturnType<Database["prepare"]> | undefined;
if (mode === "commit") {
  db = new Database(join(mkdtempSync(join(tmpdir(), "bench-floor-")), "floor.db"));
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE events(id INTEGER PRIMARY KEY, session TEXT, data TEXT)");
  insert = db.prepare("INSERT INTO events(session, data) VALUES (?, ?)");
}

function flush(): void {
  const batch = pending;
  pending = [];
  db!.exec("BEGIN IMMEDIATE");
  for (const p of batch) insert!.run(p.s, p.raw);
  db!.exec("COMMIT");
  for (const p of batch) p.ws.send(`{"id":${p.id}}`);
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (req, srv) => (srv.upgrade(req, { data: undefined }) ? undefined : new Response("ws only", { status: 400 })),
  websocket: {
    message(ws, m) {
      const raw = String(m);
      const msg = JSON.parse(raw) as { id: number; s: string };
      if (mode === "echo") return void ws.send(`{"id":${msg.id}}`);
      if (pending.length === 0) setImmediate(flush);
      pending.push({ ws, id: msg.id, s: msg.s, raw });
    },
  },
});
console.log(`FLOOR_URL=ws://127.0.0.1:${server.port}/ws`);
process.on("SIGTERM", () => process.exit(0));
