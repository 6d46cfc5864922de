// Which host paths count as secret (from the config), and which registry entries other gateways may add.
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { configPath } from "../../src/config/paths.ts";
import type { HostView } from "../../src/sandbox/host-view.ts";
import { otherInstancePaths, registerInstance } from "../../src/sandbox/instances.ts";
import { unixSocketPaths } from "../../src/sandbox/masks.ts";
import { secretPaths } from "../../src/sandbox/secret-paths.ts";

describe("secretPaths", () => {
  test("config, database with -wal/-shm, token, and every credential path a config key names", () => {
    const config = {
      channels: { telegram: { tokenFile: "/srv/tg.token", botToken: "not-a-path-key" } },
      plugins: { entries: { x: { config: { credentialsFile: "~/creds.json", nested: [{ keyPath: "/etc/x/key.pem" }], url: "https://a/b", profile: "default" } } } },
      agents: { defaults: { sandbox: { bwrapPath: "/usr/bin/bwrap" }, workspace: "/srv/ws" } },
    };
    const p = secretPaths(config, "/var/lib/oc");
    expect(p).toEqual(expect.arrayContaining([configPath(), "/var/lib/oc/state/openclaw.db", "/var/lib/oc/state/openclaw.db-wal", "/var/lib/oc/state/openclaw.db-shm", "/var/lib/oc/credentials/gateway-token", "/var/lib/oc/logs", "/srv/tg.token", join(process.env.HOME!, "creds.json"), "/etc/x/key.pem"]));
    expect(p).not.toContain("/usr/bin/bwrap");
    expect(p).not.toContain("/srv/ws");
    expect(p.some((x) => x.endsWith("/default"))).toBe(false); // "profile" ends in "file" but names no file
    expect(p.some((x) => x.includes("https"))).toBe(false);
  });
});

const view = (files: Record<string, { text?: string; owner: number }>): HostView => ({
  kind: (p) => (files[p] ? "file" : null),
  owner: (p) => files[p]?.owner ?? null,
  realpath: (p) => p,
  readlink: () => null,
  readdir: (d) => Object.keys(files).filter((f) => f.startsWith(d + "/")).map((f) => f.slice(d.length + 1)),
  readText: (p) => files[p]?.text ?? null,
});

describe("otherInstancePaths", () => {
  test("live entries count; another uid's entry masks only what that uid owns; dead and malformed entries are ignored", () => {
    const live = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      const me = process.getuid!();
      const other = me + 4242;
      const v = view({
        [`/reg/${live.pid}.json`]: { text: JSON.stringify({ pid: live.pid, paths: ["/srv/a/state"] }), owner: me },
        "/reg2/1.json": { text: JSON.stringify({ pid: live.pid, paths: ["/usr", "/home/u/oc"] }), owner: other },
        "/home/u/oc": { owner: other },
        "/usr": { owner: 0 },
        "/reg/999999999.json": { text: JSON.stringify({ pid: 999999999, paths: ["/dead"] }), owner: me },
        "/reg/5.json": { text: "{not json", owner: me },
      });
      const got = otherInstancePaths(v, ["/reg", "/reg2"]);
      expect(got.sort()).toEqual(["/home/u/oc", "/srv/a/state"]);
    } finally {
      live.kill("SIGKILL");
    }
  });
});

describe("registerInstance", () => {
  test("writes this process's entry into a private folder, never into a symlink or a folder others can write", () => {
    const base = mkdtempSync(join(process.env.TMPDIR!, "reg-"));
    const good = join(base, "good");
    const file = registerInstance(["/srv/oc-state", "/srv/oc.json"], good);
    expect(file).toBe(join(good, `${process.pid}.json`));
    expect(JSON.parse(readFileSync(file!, "utf8"))).toEqual({ pid: process.pid, paths: ["/srv/oc-state", "/srv/oc.json"] });
    const target = join(base, "target");
    mkdirSync(target);
    symlinkSync(target, join(base, "planted"));
    expect(registerInstance(["/x"], join(base, "planted"))).toBeNull();
    const open = join(base, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(registerInstance(["/x"], open)).toBeNull();
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(open)).toEqual([]);
  });
});

describe("unixSocketPaths", () => {
  test("pathname sockets from /proc/net/unix, abstract ones left out", () => {
    const text = [
      "Num       RefCount Protocol Flags    Type St Inode Path",
      "0000000000000000: 00000002 00000000 00010000 0001 01 12345 /run/x.sock",
      "0000000000000000: 00000002 00000000 00010000 0001 01 12346 @abstract",
      "0000000000000000: 00000003 00000000 00000000 0001 03 12347",
      "0000000000000000: 00000002 00000000 00010000 0001 01 12348 /srv/with space.sock",
    ].join("\n");
    expect(unixSocketPaths({ ...view({}), readText: () => text })).toEqual(["/run/x.sock", "/srv/with space.sock"]);
  });
});
