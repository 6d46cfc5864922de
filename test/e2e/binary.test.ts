// End to end against the compiled binary (built first if dist/openclaw is missing). The binary is
// copied to a temp dir and run from there, so nothing from the source tree can leak in.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import pkg from "../../package.json" with { type: "json" };
import { freshBinary } from "./fresh-binary.ts";

const repo = join(import.meta.dir, "..", "..");
const built = join(repo, "dist", "openclaw");
const dir = mkdtempSync(join(tmpdir(), "e2e-"));
const bin = join(dir, "openclaw");
const env = { OPENCLAW_STATE_DIR: join(dir, "state"), OPENCLAW_CONFIG_PATH: join(dir, "state", "openclaw.json") };

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = Bun.spawnSync([bin, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(dir, "home"), NO_COLOR: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 20_000,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

beforeAll(() => {
  freshBinary();
  copyFileSync(built, bin);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("dist/openclaw", () => {
  test("--version prints the version and the injected commit", () => {
    const r = run("--version");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`openclaw ${pkg.version}`);
    const j = JSON.parse(run("--json", "--version").stdout);
    expect(j.version).toBe(pkg.version);
    expect(j.commit).not.toBe("dev"); // injected at build time
  });

  test("config set / get / validate in a temp state dir", () => {
    expect(run("config", "set", "gateway.port", "19000").code).toBe(0);
    expect(run("config", "set", "tools.deny", `["exec"]`).code).toBe(0);
    expect(run("config", "get", "gateway.port").stdout.trim()).toBe("19000");
    expect(JSON.parse(run("--json", "config", "get", "tools.deny").stdout).value).toEqual(["exec"]);
    const v = run("config", "validate");
    expect(v.code).toBe(0);
    expect(v.stdout).toContain("config ok");
    expect(JSON5.parse(readFileSync(env.OPENCLAW_CONFIG_PATH, "utf8"))).toEqual({ gateway: { port: 19000 }, tools: { deny: ["exec"] } });
    expect(statSync(env.OPENCLAW_CONFIG_PATH).mode & 0o777).toBe(0o600);
  });

  test("invalid config exits 78; usage errors exit 2; --json failures are {ok:false,error}", () => {
    const bad = run("config", "set", "gateway.port", "0");
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain("gateway.port");
    const usage = run("--json", "nonsense");
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, error: { type: "UsageError" } });
  });

  test("schema and --help work from the binary", () => {
    expect(JSON.parse(run("config", "schema").stdout).type).toBe("object");
    const help = run("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("config");
  });
});
