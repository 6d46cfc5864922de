import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/sqlite.ts";
import { storeContract } from "./contract.ts";

const dir = mkdtempSync(join(tmpdir(), "store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract("SqliteStore", async (opts) => openStore(join(dir, `c${n++}`, "openclaw.db"), opts));
