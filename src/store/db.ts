/**
 * Opening the SQLite file: refuse foreign or corrupt files with an error that names the file and
 * the recovery, set the pragmas (WAL, synchronous=FULL, busy_timeout), run `quick_check`, apply
 * the versioned migrations embedded in the binary (each in its own BEGIN IMMEDIATE), and map
 * SQLite error codes to our named errors.
 */
import { Database } from "bun:sqlite";
import { chmodSync, closeSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { OpenClawError, StorageCorruptError, StorageError, StorageFullError, errorMessage } from "../core/errors.ts";
import { migrations } from "../generated/embedded.ts";

/** `PRAGMA application_id` of an openclaw store: "OCLW". */
export const APPLICATION_ID = 0x4f434c57;
const HEADER = "SQLite format 3\u0000";

export function recoveryHint(path: string): string {
  return `stop openclaw, move the file aside (mv '${path}' '${path}.broken'; also any '${path}-wal' and '${path}-shm'), then start again: a new empty store is created. Keep the moved file to recover data with the sqlite3 ".recover" command.`;
}

/** Maps a thrown SQLite error to StorageFullError / StorageCorruptError / StorageError. */
export function mapSqliteError(err: unknown, path: string, doing: string): Error {
  if (err instanceof OpenClawError) return err;
  const code = String((err as { code?: unknown }).code ?? "");
  const msg = errorMessage(err);
  if (code.startsWith("SQLITE_FULL") || /database or disk is full/i.test(msg)) {
    return new StorageFullError(`disk full while ${doing} (${path}): free disk space; the store stays readable and writes resume once space is available`, { cause: err });
  }
  if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")) {
    return new StorageCorruptError(`the database ${path} is corrupt (${msg}). Recovery: ${recoveryHint(path)}`, { cause: err });
  }
  return new StorageError(`storage failed while ${doing} (${path}): ${msg}`, { cause: err, details: { code } });
}

/** True when a non-empty file at `path` does not start with SQLite's header (a missing or empty file is fine: it is created). */
export function notSqlite(path: string): boolean {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  if (size === 0) return false;
  const buf = Buffer.alloc(16);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buf, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return buf.toString("latin1") !== HEADER;
}

function checkHeader(path: string): void {
  if (notSqlite(path)) {
    throw new StorageCorruptError(`${path} is not an SQLite database (corrupt, or some other file). Recovery: ${recoveryHint(path)}`);
  }
}

function scalar(db: Database, sql: string): unknown {
  const row = db.query(sql).values()[0];
  return row?.[0];
}

/** Opens (creating if needed) and migrates the store database. Throws StorageCorruptError / StorageError. */
export function openDatabase(path: string): Database {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StorageError(`cannot create the state directory ${dirname(path)}: ${errorMessage(err)}`, { cause: err });
  }
  checkHeader(path);
  restrictFiles(path);
  let db: Database | undefined;
  try {
    db = new Database(path, { create: true, strict: true });
    db.exec("PRAGMA busy_timeout = 5000");
    const mode = scalar(db, "PRAGMA journal_mode = WAL");
    if (String(mode).toLowerCase() !== "wal") throw new StorageError(`cannot enable WAL on ${path} (journal_mode=${String(mode)})`);
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    const check = db.query("PRAGMA quick_check").values().map((r) => String(r[0]));
    if (check.length !== 1 || check[0] !== "ok") {
      throw new StorageCorruptError(`the database ${path} failed its integrity check (${check.slice(0, 3).join("; ")}). Recovery: ${recoveryHint(path)}`);
    }
    checkOwnership(db, path);
    migrate(db, path);
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      // already failing; the original error matters
    }
    throw mapSqliteError(err, path, "opening the store");
  }
}

/**
 * The database holds conversations: owner-only. The file is created 0600 before SQLite opens it
 * (SQLite then creates `-wal` and `-shm` with the database file's mode); files left 0644 by an
 * older build are tightened. Not applicable on Windows (chmod is a no-op there).
 */
function restrictFiles(path: string): void {
  try {
    closeSync(openSync(path, "a", 0o600));
  } catch (err) {
    throw new StorageError(`cannot create the database file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(p).mode & 0o077) !== 0) chmodSync(p, 0o600);
    } catch {
      // missing (-wal/-shm before the first open) or not ours to change: SQLite reports real problems
    }
  }
}

function checkOwnership(db: Database, path: string): void {
  const appId = Number(scalar(db, "PRAGMA application_id"));
  const version = Number(scalar(db, "PRAGMA user_version"));
  const tables = Number(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"));
  if (appId === APPLICATION_ID) {
    const latest = migrations.length;
    if (version > latest) {
      throw new StorageError(`${path} was written by a newer openclaw (schema ${version}, this build knows ${latest}); upgrade openclaw`);
    }
    return;
  }
  if (appId !== 0 || tables > 0) {
    throw new StorageCorruptError(`${path} is an SQLite database of some other program, not an openclaw store. Recovery: ${recoveryHint(path)}`);
  }
}

function migrate(db: Database, path: string): void {
  let version = Number(scalar(db, "PRAGMA user_version"));
  for (const m of migrations) {
    if (m.version <= version) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(m.sql);
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec("COMMIT");
    } catch (err) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw mapSqliteError(err, path, `applying migration ${m.version} (${m.name})`);
    }
    version = m.version;
  }
}

/** `PRAGMA integrity_check` result lines ("ok" when healthy). */
export function integrityCheck(db: Database): string[] {
  return db.query("PRAGMA integrity_check").values().map((r) => String(r[0]));
}

/**
 * The disk reserve: a file of zeros next to the database (`<db>.reserve`, default 4 MiB), made at
 * open when there is room. On SQLITE_FULL the store deletes it and retries the write once, so the
 * record that closes a run (`run_finished`) still lands when a tool or anything else has filled the
 * disk. Made again at the next open. Best effort: no reserve when the disk is already too full.
 */
export const RESERVE_BYTES = 4 * 1024 * 1024;

export function reservePath(path: string): string {
  return `${path}.reserve`;
}

export function ensureReserve(path: string, bytes: number = RESERVE_BYTES): void {
  const file = reservePath(path);
  try {
    if (statSync(file).size >= bytes) return;
  } catch {
    // missing: made below
  }
  try {
    writeFileSync(file, Buffer.alloc(bytes), { mode: 0o600 });
  } catch {
    releaseReserve(path); // no room for it: leave no partial file behind
  }
}

/** Deletes the reserve; true when there was one to free. */
export function releaseReserve(path: string): boolean {
  try {
    unlinkSync(reservePath(path));
    return true;
  } catch {
    return false;
  }
}
