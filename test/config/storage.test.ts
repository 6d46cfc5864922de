// storage.* config: driver, URL (file or OPENCLAW_DATABASE_URL), schema name; the URL's password
// never reaches an error, a log line or `config list`.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/core/errors.ts";
import { redact, redactValue } from "../../src/core/secrets.ts";
import { loadConfig } from "../../src/config/load.ts";
import { loadErrorAt } from "./load-error.ts";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cfg-storage-"));
  file = join(dir, "openclaw.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(doc: unknown): void {
  writeFileSync(file, JSON.stringify(doc));
  chmodSync(file, 0o600);
}

const loadError = (env: Record<string, string> = {}): ConfigError => loadErrorAt(file, env);

describe("storage config", () => {
  test("defaults to the embedded SQLite store and the openclaw schema", () => {
    const { storage } = loadConfig({ path: file, env: {} }).config;
    expect(storage).toEqual({ driver: "sqlite", schema: "openclaw" });
  });

  test("postgres with a URL from the file or from OPENCLAW_DATABASE_URL (the environment wins)", () => {
    write({ storage: { driver: "postgres", url: "postgres://oc@db.example:5432/oc", schema: "team_a" } });
    expect(loadConfig({ path: file, env: {} }).config.storage).toEqual({ driver: "postgres", url: "postgres://oc@db.example:5432/oc", schema: "team_a" });
    const l = loadConfig({ path: file, env: { OPENCLAW_DATABASE_URL: "postgresql://oc@other/oc" } });
    expect(l.config.storage.url).toBe("postgresql://oc@other/oc");
    expect(l.envOverrides).toContain("OPENCLAW_DATABASE_URL");
  });

  test("postgres without a URL names both ways to give one", () => {
    write({ storage: { driver: "postgres" } });
    const e = loadError();
    expect(e.message).toContain("storage.url");
    expect(e.message).toContain("OPENCLAW_DATABASE_URL");
  });

  test("a bad driver, URL scheme or schema name is refused with the expected form", () => {
    write({ storage: { driver: "mysql" } });
    expect(loadError().message).toContain("storage.driver");
    write({ storage: { driver: "postgres", url: "mysql://x@y/z" } });
    expect(loadError().message).toContain("postgres://");
    write({ storage: { schema: "Robert'); DROP TABLE" } });
    expect(loadError().message).toContain("lower-case SQL identifier");
  });

  test("storage.cluster: lease TTL and heart-beat with their defaults; a heart-beat not below the TTL is refused", () => {
    write({ storage: { cluster: {} } });
    expect(loadConfig({ path: file, env: {} }).config.storage.cluster).toEqual({ leaseTtlMs: 15_000, heartbeatMs: 5_000 });
    write({ storage: { cluster: { leaseTtlMs: 2000, heartbeatMs: 500 } } });
    expect(loadConfig({ path: file, env: {} }).config.storage.cluster).toEqual({ leaseTtlMs: 2000, heartbeatMs: 500 });
    write({ storage: { cluster: { leaseTtlMs: 2000, heartbeatMs: 2000 } } });
    expect(loadError().message).toContain("heartbeatMs must be below leaseTtlMs");
    write({ storage: { cluster: { leaseTtlMs: 100 } } });
    expect(loadError().message).toContain("storage.cluster.leaseTtlMs");
  });

  test("the URL's password is masked in errors, logs and config list, the rest stays readable", () => {
    const url = "postgres://oc:hunter2-s3cret@db.example:5432/oc";
    expect(redact(`connect ${url} failed`)).toBe("connect postgres://oc:…@db.example:5432/oc failed");
    write({ storage: { driver: "postgres", url } });
    const listed = JSON.stringify(redactValue(loadConfig({ path: file, env: {} }).config));
    expect(listed).not.toContain("hunter2");
    expect(listed).toContain("db.example:5432/oc");
    // even when the config is invalid, the error does not echo the password
    write({ storage: { driver: "postgres", url, schema: "BAD" } });
    expect(loadError().message).not.toContain("hunter2");
    // a URL without a password is left alone
    expect(redact("postgres://oc@db/oc")).toBe("postgres://oc@db/oc");
  });
});
