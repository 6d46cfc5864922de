/**
 * `status` / `doctor` facts about a PostgreSQL store: is the database reachable, and at which
 * schema version. The URL is shown with its password masked (redact()).
 */
import { SQL } from "bun";
import type { StorageConfig } from "../config/schema.ts";
import { errorMessage } from "../core/errors.ts";
import { redact } from "../core/secrets.ts";

export interface StorageFacts {
  driver: "postgres";
  url: string;
  schema: string;
  reachable: boolean;
  /** highest migration applied, null when the schema has not been created yet */
  schemaVersion: number | null;
  reason?: string;
}

export async function probePostgres(storage: StorageConfig, timeoutS = 5): Promise<StorageFacts | null> {
  if (storage.driver !== "postgres" || !storage.url) return null;
  const base = { driver: "postgres" as const, url: redact(storage.url), schema: storage.schema };
  const sql = new SQL(storage.url, { max: 1, connectionTimeout: timeoutS });
  try {
    const [t] = await sql`SELECT to_regclass(${`"${storage.schema}".schema_migrations`}) IS NOT NULL AS ok`;
    const v = t.ok ? Number((await sql.unsafe(`SELECT max(version) AS v FROM "${storage.schema}".schema_migrations`))[0].v) : null;
    return { ...base, reachable: true, schemaVersion: v };
  } catch (err) {
    return { ...base, reachable: false, schemaVersion: null, reason: redact(errorMessage(err)) };
  } finally {
    await sql.close().catch(() => {});
  }
}
