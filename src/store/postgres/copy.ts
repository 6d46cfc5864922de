/**
 * Copies an SQLite state file into PostgreSQL, table by table with every column as stored (seq,
 * times, JSON text), `ON CONFLICT DO NOTHING` on each primary key: a second run copies nothing and
 * duplicates nothing. Afterwards each table's row count in PostgreSQL is checked against SQLite
 * (the target may hold more, from other nodes, never fewer). Sessions' last_seq is raised to the
 * copied events. Run with the gateways stopped (the SQLite file is opened read-only).
 */
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { StorageError } from "../../core/errors.ts";
import { mapPgError } from "./errors.ts";
import { openPgStore } from "./store.ts";

const TABLES: readonly { name: string; cols: string[]; key: string; bool?: string[] }[] = [
  { name: "sessions", cols: ["key", "agent_id", "channel", "peer", "title", "created_at", "updated_at", "last_seq"], key: "key" },
  { name: "events", cols: ["session_key", "seq", "ts", "type", "data", "idempotency_key"], key: "session_key, seq" },
  { name: "runs", cols: ["session_key", "run_id", "started_at"], key: "session_key, run_id" },
  { name: "inbox", cols: ["channel", "update_id", "payload", "done", "created_at", "done_at"], key: "channel, update_id", bool: ["done"] },
  { name: "kv", cols: ["namespace", "key", "value"], key: "namespace, key" },
  { name: "pairing", cols: ["channel", "peer_id", "code", "status", "created_at", "expires_at", "meta"], key: "channel, peer_id" },
];

export interface CopyTableReport {
  table: string;
  source: number;
  copied: number;
  target: number;
}

export async function copySqliteToPg(sqlitePath: string, opts: { url: string; schema: string }): Promise<CopyTableReport[]> {
  let src: Database;
  try {
    src = new Database(sqlitePath, { readonly: true, strict: true });
  } catch (err) {
    throw new StorageError(`cannot open the SQLite state ${sqlitePath} read-only: ${(err as Error).message}; check the path (storage copy --from)`, { cause: err });
  }
  try {
    await (await openPgStore(opts)).close(); // creates the schema and applies migrations
    const sql = new SQL(opts.url, { max: 1, connection: { search_path: opts.schema } });
    try {
      const out: CopyTableReport[] = [];
      for (const t of TABLES) {
        // runs rows with finished = 1 came from older builds; they are finished, so not copied
        const where = t.name === "runs" ? " WHERE finished = 0" : "";
        const rows = src.query(`SELECT ${t.cols.join(", ")} FROM ${t.name}${where}`).all() as Record<string, unknown>[];
        let copied = 0;
        await sql.begin(async (tx) => {
          for (let i = 0; i < rows.length; i += 500) {
            const chunk = rows.slice(i, i + 500);
            const args: unknown[] = [];
            const values = chunk.map((r) => `(${t.cols.map((c) => `$${args.push(t.bool?.includes(c) ? r[c] === 1 : r[c])}`).join(", ")})`);
            const res = await tx.unsafe(
              `INSERT INTO ${t.name} (${t.cols.join(", ")}) VALUES ${values.join(", ")} ON CONFLICT (${t.key}) DO NOTHING RETURNING 1`,
              args,
            );
            copied += res.length;
          }
        });
        const target = Number((await sql.unsafe(`SELECT count(*) AS n FROM ${t.name}`))[0].n);
        if (target < rows.length) throw new StorageError(`storage copy: ${t.name} has ${target} rows in PostgreSQL but ${rows.length} in SQLite; nothing was lost from SQLite — run the copy again`);
        out.push({ table: t.name, source: rows.length, copied, target });
      }
      await sql.unsafe("UPDATE sessions s SET last_seq = m.seq FROM (SELECT session_key, max(seq) AS seq FROM events GROUP BY session_key) m WHERE m.session_key = s.key AND s.last_seq < m.seq");
      return out;
    } catch (err) {
      throw mapPgError(err, "copying into PostgreSQL");
    } finally {
      await sql.close();
    }
  } finally {
    src.close();
  }
}
