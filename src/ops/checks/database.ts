/**
 * The store: `PRAGMA quick_check` on a read-only connection, so a running gateway is not
 * disturbed (no WAL switch, no migration, no write lock). A missing file is fine (created at
 * first start). Never repaired here: moving a corrupt store aside is the operator's decision.
 * With `storage.driver: "postgres"`: the database reachable, its schema version, the nodes alive
 * and the lease holders (storage-status.ts; reads only).
 */
import { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { databasePath } from "../../config/paths.ts";
import { errorMessage } from "../../core/errors.ts";
import { notSqlite, recoveryHint } from "../../store/db.ts";
import { PG_MIGRATIONS } from "../../store/postgres/migrations.ts";
import { clusterLines, probePostgres } from "../storage-status.ts";
import { fail, ok, warn, type Check, type CheckResult, type DoctorContext } from "./types.ts";

async function postgresCheck(ctx: DoctorContext): Promise<CheckResult> {
  const f = (await probePostgres(ctx.config.storage))!;
  const where = `PostgreSQL ${f.url} schema ${f.schema}`;
  if (!f.reachable) {
    return fail("database", `${where} is unreachable: ${f.reason ?? "?"}`, "start the database server or fix storage.url / OPENCLAW_DATABASE_URL (host, port, user, password, database), then run openclaw doctor again");
  }
  if (f.schemaVersion === null) return ok("database", `${where} is reachable; the schema is created at the first gateway start`);
  const known = Math.max(...PG_MIGRATIONS.map((m) => m.version));
  if (f.schemaVersion > known) {
    return warn("database", `${where} is at schema version ${f.schemaVersion}, newer than this build knows (${known})`, "update openclaw on this machine to the version the other nodes run");
  }
  const cluster = clusterLines(f).map((l) => l.replace(/:\s+/, ": ")).join("; ");
  return ok("database", `${where} is reachable, schema version ${f.schemaVersion}${cluster ? `; ${cluster}` : ""}`);
}

export const databaseCheck: Check = {
  id: "database",
  run(ctx) {
    if (ctx.config.storage.driver === "postgres") return postgresCheck(ctx);
    const path = databasePath();
    if (!existsSync(path)) return ok("database", `no database yet at ${path} (created at first start)`);
    const size = statSync(path).size;
    if (notSqlite(path)) return fail("database", `${path} is not an SQLite database (corrupt, or some other file)`, recoveryHint(path));
    let db: Database | undefined;
    try {
      db = new Database(path, { readonly: true });
      const rows = db.query("PRAGMA quick_check").values().map((r) => String(r[0]));
      if (rows.length === 1 && rows[0] === "ok") return ok("database", `the database ${path} passed quick_check (${size} bytes)`);
      return fail("database", `the database ${path} failed quick_check: ${rows.slice(0, 3).join("; ")}`, recoveryHint(path));
    } catch (err) {
      return fail("database", `the database ${path} cannot be checked: ${errorMessage(err)}`, recoveryHint(path));
    } finally {
      db?.close();
    }
  },
};
