// The egress allowlist end to end, with real bwrap at both levels: a command whose sandbox has
// networkAccess and tools.exec.network.allow reaches an allowed name through the proxy (curl with
// the proxy variables the sandbox sets), gets 403 for anything else, and has no direct route out:
// not to the host's 127.0.0.1 server, not to an outside address. Only 127.0.0.1 targets are used; test
// names resolve to 127.0.0.1 through the proxy's injectable resolver.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { SandboxConfig } from "../../src/config/schema.ts";
import { bwrapArgs } from "../../src/sandbox/bwrap-args.ts";
import { BwrapExecutor } from "../../src/sandbox/bwrap.ts";
import { resolveSandbox } from "../../src/sandbox/config.ts";
import { EGRESS_SANDBOX_DIR, bridgeLauncher } from "../../src/sandbox/egress.ts";
import { LEVELS, quietLog, useFakeHost, waitNoMarker } from "./bwrap-helpers.ts";

const h = useFakeHost();
let upstream: Server;
let port = 0;
let hits: string[] = [];
const executors: BwrapExecutor[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.end(`upstream-says-hello ${req.url}`);
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  port = (upstream.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const ex of executors) await ex.close();
  upstream.close();
});

function egressExecutor(level: "standard" | "strict", over: Partial<SandboxConfig> = {}): BwrapExecutor {
  const cfg = resolveSandbox(
    { level, networkAccess: true, ...over, limits: { timeoutMs: 20_000, ...over.limits } as SandboxConfig["limits"] },
    { workspace: join(h.state, `workspace-egress-${level}`), home: h.home, stateDir: h.state, networkAllow: [`allowed.test:${port}`] },
  );
  const ex = new BwrapExecutor(cfg, {
    log: quietLog,
    hostEnv: { ...process.env },
    egress: {
      lookup: async (name) => (name === "allowed.test" || name === "blocked.test" ? ["127.0.0.1"] : []),
      addressReason: (ip) => (ip === "127.0.0.1" ? undefined : "not the test upstream"),
    },
  });
  executors.push(ex);
  return ex;
}

for (const level of LEVELS) {
  describe(`egress allowlist at ${level}`, () => {
    test("the probe passes through the bridge and reports the allowlist", async () => {
      const s = await egressExecutor(level).status();
      expect(s.reason).toBeUndefined();
      expect(s.ok).toBe(true);
      expect(s.details?.egressAllow).toEqual([`allowed.test:${port}`]);
    });

    test("an allowed name is reached through the proxy, plain HTTP and CONNECT", async () => {
      hits = [];
      const r = await egressExecutor(level).exec({
        command: `curl -sS -m 10 http://allowed.test:${port}/plain; echo; curl -sS -m 10 --proxytunnel http://allowed.test:${port}/tunnel`,
      });
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("upstream-says-hello /plain");
      expect(r.stdout).toContain("upstream-says-hello /tunnel");
      expect(hits).toEqual(["/plain", "/tunnel"]);
    });

    test("a name not on the list gets 403 naming the host and the config key; nothing reaches the upstream", async () => {
      hits = [];
      const r = await egressExecutor(level).exec({
        command:
          `curl -s -m 10 -d secret=1 http://blocked.test:${port}/upload; ` +
          `echo "connect=$(curl -s -m 10 -o /dev/null -w '%{http_connect}' --proxytunnel http://blocked.test:${port}/)"`,
      });
      expect(r.stdout).toContain(`egress to blocked.test:${port} is blocked: it is not in tools.exec.network.allow`);
      expect(r.stdout).toContain("connect=403");
      expect(hits).toEqual([]);
    });

    test("no direct route: the host's 127.0.0.1 server, an outside IP and DNS all fail, bypassing the proxy variables", async () => {
      hits = [];
      const r = await egressExecutor(level).exec({
        command: [
          `curl --noproxy '*' -s -m 5 http://127.0.0.1:${port}/direct && echo DIRECT-OK`,
          `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && echo TCP-LOOPBACK-CONNECTED'`,
          // TEST-NET-1: routed like any outside address, yet nothing answers there if a broken sandbox did send
          "timeout 5 bash -c 'exec 3<>/dev/tcp/192.0.2.1/80 && echo TCP-OUTSIDE-CONNECTED'",
          "getent hosts example.com && echo DNS-RESOLVED",
          "echo end",
        ].join("; "),
      });
      expect(r.stdout).toContain("end");
      for (const bad of ["DIRECT-OK", "TCP-LOOPBACK-CONNECTED", "TCP-OUTSIDE-CONNECTED", "DNS-RESOLVED", "upstream-says-hello"]) expect(r.stdout).not.toContain(bad);
      expect(r.stderr).toContain("Network is unreachable"); // no route at all: nothing is sent
      expect(r.stderr).toContain("Connection refused"); // 127.0.0.1 is the sandbox's own loopback
      expect(hits).toEqual([]);
    });
  });
}

describe("egress bridge as the command's parent", () => {
  test("the command gets the proxy variables, its stdin and its exit status", async () => {
    const r = await egressExecutor("standard").exec({ command: 'echo "$HTTPS_PROXY|$http_proxy|$NO_PROXY"; cat; exit 7', stdin: "from-stdin" });
    expect(r.stdout).toBe("http://127.0.0.1:3128|http://127.0.0.1:3128|localhost,127.0.0.1,::1\nfrom-stdin");
    expect(r.exitCode).toBe(7);
  });

  test("a timeout kills the command and the bridge: no process is left", async () => {
    const r = await egressExecutor("standard").exec({ command: "sleep 30", timeoutMs: 1000 });
    expect(r.timedOut).toBe(true);
    expect(await waitNoMarker(`${EGRESS_SANDBOX_DIR}/proxy.sock`)).toEqual([]);
  });

  test("the openclaw entry point runs the bridge for the hidden argument (the compiled binary's path)", () => {
    const main = join(import.meta.dir, "../../src/main.ts");
    const ok = spawnSync(process.execPath, [main, "__egress-bridge", "/nonexistent.sock", "0", "--", "/bin/sh", "-c", "echo ran; exit 3"], { encoding: "utf8", timeout: 20_000 });
    expect(ok.stdout).toBe("ran\n");
    expect(ok.status).toBe(3);
    const bad = spawnSync(process.execPath, [main, "__egress-bridge", "/x.sock"], { encoding: "utf8", timeout: 20_000 });
    expect(bad.status).toBe(125);
    expect(bad.stderr).toContain("egress bridge: usage");
  });
});

describe("bridgeLauncher", () => {
  const src = new URL("../../src/sandbox/egress.ts", import.meta.url).href;
  test("from source: bun plus the bridge script; compiled: the binary alone; Node: refused; a bundle without the script: refused", () => {
    const fromSource = bridgeLauncher({ execPath: process.execPath, moduleUrl: src, bun: true });
    expect(fromSource).toEqual({ exe: expect.any(String), script: join(import.meta.dir, "../../src/sandbox/egress-bridge.ts") });
    expect(bridgeLauncher({ execPath: process.execPath, moduleUrl: "file:///$bunfs/root/openclaw", bun: true })).toEqual({ exe: expect.any(String) });
    expect(bridgeLauncher({ execPath: process.execPath, moduleUrl: src, bun: false })).toEqual({ error: expect.stringContaining("runs on Node") });
    expect(bridgeLauncher({ execPath: process.execPath, moduleUrl: "file:///nowhere/dist/bundle.js", bun: true })).toEqual({
      error: expect.stringContaining("the egress bridge cannot be found (/nowhere/dist/egress-bridge.ts: ENOENT)"),
    });
  });
});

describe("bwrap arguments with the egress binds", () => {
  test("the binds come after /tmp is mounted and no later mount covers them; the network stays unshared", () => {
    const a = bwrapArgs({
      level: "strict",
      networkAccess: false,
      allowedPaths: ["/srv/ws"],
      home: "/nonexistent-home",
      stateDir: "/nonexistent-state",
      cwd: "/srv/ws",
      tmpfsBytes: 1 << 20,
      roBinds: [["/host/proxy.sock", `${EGRESS_SANDBOX_DIR}/proxy.sock`]],
      command: ["true"],
    });
    const at = (...seq: string[]) => a.findIndex((_, i) => seq.every((s, j) => a[i + j] === s));
    const bind = at("--ro-bind", "/host/proxy.sock", `${EGRESS_SANDBOX_DIR}/proxy.sock`);
    expect(bind).toBeGreaterThan(at("--tmpfs", "/tmp"));
    expect(at("--bind", "/srv/ws", "/srv/ws")).toBeGreaterThan(-1);
    // mounts go in path-depth order: nothing mounted after the bind sits on /tmp or the bridge folder
    const later = a.slice(bind + 3);
    for (const dest of ["/tmp", EGRESS_SANDBOX_DIR]) expect(later).not.toContain(dest);
    expect(a).toContain("--unshare-all");
    expect(a).not.toContain("--share-net");
  });
});
