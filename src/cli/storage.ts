/**
 * `openclaw storage copy [--from <openclaw.db>] [--url <postgres://…>] [--schema <name>]`: copies the
 * SQLite state into PostgreSQL (store/postgres/copy.ts), verifies each table's count, and can run
 * again without duplicating anything. The URL defaults to storage.url / OPENCLAW_DATABASE_URL.
 * Stop the gateway first; then set storage.driver to "postgres".
 */
import { defineCommand } from "citty";
import { redact } from "../core/secrets.ts";
import { loadConfig } from "../config/load.ts";
import { databasePath } from "../config/paths.ts";
import { output, UsageError } from "./output.ts";

const copy = defineCommand({
  meta: { name: "copy", description: "Copy the SQLite state into PostgreSQL (counts verified; safe to run twice)" },
  args: {
    from: { type: "string", valueHint: "file", description: "the SQLite database (default: this state dir's openclaw.db)" },
    url: { type: "string", valueHint: "postgres://…", description: "the target database (default storage.url / OPENCLAW_DATABASE_URL)" },
    schema: { type: "string", valueHint: "name", description: "the target schema (default storage.schema, openclaw)" },
  },
  async run({ args }) {
    const storage = loadConfig().config.storage;
    const url = args.url ? String(args.url) : storage.url;
    if (!url) throw new UsageError("storage copy needs a target: --url postgres://user@host/db, storage.url or OPENCLAW_DATABASE_URL");
    const schema = args.schema ? String(args.schema) : storage.schema;
    const from = args.from ? String(args.from) : databasePath();
    const { copySqliteToPg } = await import("../store/postgres/copy.ts");
    const tables = await copySqliteToPg(from, { url, schema });
    const text = () =>
      redact(
        [`copied ${from} → ${url} (schema ${schema}); counts verified`, ...tables.map((t) => `  ${t.table.padEnd(9)} ${t.source} in SQLite, ${t.copied} copied now, ${t.target} in PostgreSQL`)].join("\n") +
          (storage.driver === "postgres" ? "" : '\nnext: set storage.driver to "postgres" (openclaw config set storage.driver postgres) and restart the gateway'),
      );
    output(text, { from, schema, tables });
  },
});

export const command = defineCommand({
  meta: { name: "storage", description: "The session store: copy SQLite state into PostgreSQL" },
  subCommands: { copy },
});
