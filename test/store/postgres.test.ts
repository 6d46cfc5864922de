// The unchanged SessionStore contract against PgStore on a real PostgreSQL server (one fresh schema per store).
import { afterAll, beforeAll } from "bun:test";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { storeContract } from "./contract.ts";

let pg: PgServer;
beforeAll(() => {
  pg = startPostgres();
});
afterAll(() => pg?.stop());
let n = 0;

storeContract("PgStore", async (opts) => openPgStore({ ...opts, url: pg.url, schema: `c${n++}`, max: 4 }));
