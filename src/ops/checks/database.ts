/**
 * The store: `PRAGMA quick_check` on a read-only connection, so a running gateway is not
 * disturbed (no WAL switch, no migration, no write lock). A missing file is fine (created at
 * first start). Never repaired here: moving a corrupt store aside is the operator's decision.
 */
import { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { databasePath } from "../../config/paths.ts";
import { errorMessage } from "../../core/errors.ts";
import { notSqlite, recoveryHint } from "../../store/db.ts";
import { fail, ok, type Check } from "./types.ts";

export const databaseCheck: Check = {
  id: "database",
  run() {
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
