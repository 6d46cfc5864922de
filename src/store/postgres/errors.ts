/** Maps PostgreSQL / Bun SQL client errors to the store's named errors, each with the fix. */
import { StorageError, StorageFullError, StorageUnavailableError } from "../../core/errors.ts";
import { redact } from "../../core/secrets.ts";

function field(err: unknown, name: string): string {
  const v = err && typeof err === "object" ? (err as Record<string, unknown>)[name] : undefined;
  return typeof v === "string" ? v : "";
}

export function mapPgError(err: unknown, doing: string): Error {
  if (err instanceof StorageError) return err;
  const sqlstate = field(err, "errno") || field(err, "sqlState");
  const code = field(err, "code");
  const msg = redact(err instanceof Error ? err.message : String(err));
  if (sqlstate === "53100") {
    return new StorageFullError(`${doing}: the PostgreSQL server is out of disk space (${msg}); free space on the database server, then retry`, { cause: err });
  }
  if (sqlstate === "25006") {
    return new StorageError(`${doing}: the database is a read-only replica (${msg}); point storage.url at the primary`, { cause: err });
  }
  if (/CONNECTION|ECONNREFUSED|ENOENT|socket|terminat/i.test(code + " " + msg) || sqlstate.startsWith("08") || sqlstate === "57P01") {
    return new StorageUnavailableError(
      `${doing}: lost the connection to PostgreSQL (${msg}); check that the server at storage.url is running and reachable — the store reconnects by itself`,
      { cause: err },
    );
  }
  return new StorageError(`${doing}: PostgreSQL error${sqlstate ? ` ${sqlstate}` : ""}: ${msg}`, { cause: err });
}

/**
 * The server refused a statement before COMMIT (integrity violation, class 23; transaction rollback,
 * class 40: deadlock, serialization): the transaction committed nothing, so its work may be retried.
 */
export function rejectedBeforeCommit(err: unknown): boolean {
  const sqlstate = field(err, "errno") || field(err, "sqlState");
  return sqlstate.startsWith("23") || sqlstate.startsWith("40");
}
