// The release end to end: `build/release.ts` for all six targets with a test signing key, the
// manifest and checksums checked, linux-arm64 run under qemu-user, the musl binaries under musl's
// loader (x64) or their ELF interpreter checked (arm64), then install.sh and `openclaw update`
// against a real HTTP server on 127.0.0.1:0 serving that release and a newer linux-x64 build.
// Heavy (seven cross-compiles, one after another): it lives in the e2e step.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, generateKeyPairSync } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server, Subprocess } from "bun";
import { rawPublicKey } from "../../build/release-sign.ts";
import { TARGETS } from "../../build/release-targets.ts";
import { verifyRelease } from "../../src/core/release-key.ts";

const root = join(import.meta.dir, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "release-e2e-"));
const { privateKey } = generateKeyPairSync("ed25519");
const KEY = privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
const PUB = rawPublicKey(privateKey);
const r1 = join(dir, "srv", "latest"); // 0.1.0: every target
const r2 = join(dir, "srv", "next"); // 0.2.0: linux-x64
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
let server: Server<undefined>;
let base = "";
const home = join(dir, "home");
const baseEnv = () => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, NO_COLOR: "1", OPENCLAW_STATE_DIR: join(dir, "state"), OPENCLAW_CONFIG_PATH: join(dir, "state", "openclaw.json") });

function release(out: string, version: string, only?: string): void {
  const args = [process.execPath, "build/release.ts", "--out", out, "--version", version, ...(only ? ["--only", only] : [])];
  const r = Bun.spawnSync(args, { cwd: root, env: { ...process.env, OPENCLAW_RELEASE_KEY: KEY }, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`release failed:\n${r.stdout}\n${r.stderr}`);
}

function sh(cmd: string[], env: Record<string, string> = {}, timeout = 60_000) {
  const r = Bun.spawnSync(cmd, { cwd: dir, env: { ...baseEnv(), ...env }, stdout: "pipe", stderr: "pipe", timeout });
  return { code: r.exitCode ?? -1, out: r.stdout.toString(), err: r.stderr.toString() };
}

// async: the release server runs in this process, so a synchronous spawn would block it
async function run(cmd: string[], env: Record<string, string> = {}) {
  const p = Bun.spawn(cmd, { cwd: dir, env: { ...baseEnv(), ...env }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

beforeAll(() => {
  release(r1, "0.1.0");
  release(r2, "0.2.0", "linux-x64");
  mkdirSync(home, { recursive: true });
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (path.includes("..")) return new Response("no", { status: 400 });
      const f = Bun.file(join(dir, "srv", path));
      return f.size > 0 || existsSync(join(dir, "srv", path)) ? new Response(f) : new Response("not found", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
}, 900_000);
afterAll(() => {
  server?.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run release", () => {
  test("every target: raw binary + archive, SHA256SUMS and the manifest agree, the signature verifies", () => {
    const bytes = readFileSync(join(r1, "manifest.json"));
    const m = JSON.parse(bytes.toString());
    expect(m.version).toBe("0.1.0");
    expect(m.signed).toBe(true);
    expect(m.targets.map((t: { target: string }) => t.target).sort()).toEqual(TARGETS.map((t) => t.name).sort());
    const sums = readFileSync(join(r1, "SHA256SUMS"), "utf8").trim().split("\n").map((l) => l.split(/\s+/));
    const sumOf = new Map(sums.map(([h, f]) => [f!, h!]));
    expect(sumOf.size).toBe(12);
    for (const t of m.targets) {
      expect(sha(join(r1, t.file))).toBe(t.sha256);
      expect(readFileSync(join(r1, t.file)).length).toBe(t.size);
      expect(sha(join(r1, t.archive))).toBe(t.archiveSha256);
      expect(sumOf.get(t.file)).toBe(t.sha256);
      expect(sumOf.get(t.archive)).toBe(t.archiveSha256);
    }
    for (const t of m.targets) console.log(`release size: ${t.target} raw ${(t.size / 1048576).toFixed(1)} MiB, tar.gz ${(t.archiveSize / 1048576).toFixed(1)} MiB`);
    const sig = readFileSync(join(r1, "manifest.json.sig"), "utf8");
    expect(verifyRelease(bytes, sig, PUB)).toBe(true);
    const tampered = Buffer.from(bytes.toString().replace('"0.1.0"', '"9.9.9"'));
    expect(verifyRelease(tampered, sig, PUB)).toBe(false);
  });

  test("ELF interpreters: glibc and musl loaders as the target says", () => {
    const interp = (f: string) => readFileSync(join(r1, f)).subarray(0, 4096).toString("latin1");
    expect(interp("openclaw-linux-x64")).toContain("/lib64/ld-linux-x86-64.so.2");
    expect(interp("openclaw-linux-arm64")).toContain("/lib/ld-linux-aarch64.so.1");
    expect(interp("openclaw-linux-x64-musl")).toContain("/lib/ld-musl-x86_64.so.1");
    expect(interp("openclaw-linux-arm64-musl")).toContain("/lib/ld-musl-aarch64.so.1");
    expect(readFileSync(join(r1, "openclaw-darwin-arm64")).readUInt32LE(0)).toBe(0xfeedfacf); // Mach-O 64
  });

  // Debian's musl has no musl-built libstdc++, so the binary cannot run to completion here: the
  // musl loader must accept it and find everything but libstdc++ / libgcc_s (docs/releases.md).
  test("linux-x64-musl loads under Debian's musl loader; only the C++ runtime is missing", () => {
    const r = sh(["/lib/ld-musl-x86_64.so.1", "--list", join(r1, "openclaw-linux-x64-musl")]);
    const missing = [...r.err.matchAll(/Error loading shared library (\S+):/g)].map((m) => m[1]);
    expect(r.out + r.err).toContain("ld-musl-x86_64.so.1");
    expect(missing.every((l) => /^lib(stdc\+\+|gcc_s)\.so/.test(l!))).toBe(true);
  });

  test("linux-arm64 under qemu-user: --version, config validate, gateway /healthz on loopback", async () => {
    const q = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", join(r1, "openclaw-linux-arm64")];
    expect(sh([...q, "--version"]).out).toContain("openclaw 0.1.0");
    const port = freePort();
    mkdirSync(join(dir, "state"), { recursive: true });
    writeFileSync(join(dir, "state", "openclaw.json"), JSON.stringify({ gateway: { port, auth: { mode: "token", token: "release-e2e-token-0123456789abcdef0123" } } }), { mode: 0o600 });
    const v = sh([...q, "config", "validate"]);
    expect(v.code).toBe(0);
    const gw = Bun.spawn([...q, "gateway", "run"], { cwd: dir, env: baseEnv(), stdout: "pipe", stderr: "pipe" });
    try {
      expect(await healthy(port, 60_000)).toBe(true);
    } finally {
      gw.kill();
      await gw.exited;
    }
  }, 120_000);
});

function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const p = s.port!;
  s.stop(true);
  return p;
}

async function healthy(port: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(200)) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return true;
    } catch {
      // not up yet
    }
  }
  return false;
}

describe("install.sh and openclaw update", () => {
  const prefix = join(dir, "prefix");
  const bin = join(prefix, "openclaw");

  test("install.sh is shellcheck-clean", () => {
    const r = Bun.spawnSync(["shellcheck", join(root, "install.sh")], { stdout: "pipe", stderr: "pipe" });
    expect(r.stdout.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  });

  test("install.sh refuses a tampered archive and installs nothing", async () => {
    const bad = join(dir, "srv", "bad-archive");
    cpSync(r1, bad, { recursive: true });
    const a = join(bad, "openclaw-linux-x64.tar.gz");
    const b = readFileSync(a);
    b[b.length - 100]! ^= 0xff;
    writeFileSync(a, b);
    const r = await run(["sh", join(root, "install.sh")], { OPENCLAW_RELEASE_URL: `${base}/bad-archive`, OPENCLAW_INSTALL_DIR: join(dir, "bad-prefix") });
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("checksum mismatch");
    expect(existsSync(join(dir, "bad-prefix", "openclaw"))).toBe(false);
  });

  test("install.sh installs the signed release into a temp prefix", async () => {
    const r = await run(["sh", join(root, "install.sh")], { OPENCLAW_RELEASE_URL: `${base}/latest`, OPENCLAW_INSTALL_DIR: prefix });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("next: openclaw onboard");
    expect(sha(bin)).toBe(sha(join(r1, "openclaw-linux-x64")));
    expect(sh([bin, "--version"]).out).toContain("openclaw 0.1.0");
  });

  test("update --check reports; a tampered binary and a tampered manifest are refused and change nothing", async () => {
    const before = sha(bin);
    const check = await run([bin, "--json", "update", "--check"]);
    // update.url unset: a clear error
    expect(check.code).not.toBe(0);
    expect(check.out + check.err).toContain("update.url");
    expect(sh([bin, "config", "set", "update.url", `${base}/next`]).code).toBe(0);
    const ok = JSON.parse((await run([bin, "--json", "update", "--check"])).out);
    expect(ok.action).toBe("available");
    expect(ok.latest).toBe("0.2.0");

    const tb = join(dir, "srv", "tampered-bin");
    cpSync(r2, tb, { recursive: true });
    const f = join(tb, "openclaw-linux-x64");
    const b = readFileSync(f);
    b[b.length - 1000]! ^= 0xff;
    writeFileSync(f, b);
    expect(sh([bin, "config", "set", "update.url", `${base}/tampered-bin`]).code).toBe(0);
    const t1 = await run([bin, "update"]);
    expect(t1.code).not.toBe(0);
    expect(t1.err).toContain("does not match the signed manifest");

    const tm = join(dir, "srv", "tampered-manifest");
    cpSync(r2, tm, { recursive: true });
    const mf = join(tm, "manifest.json");
    writeFileSync(mf, readFileSync(mf, "utf8").replace(/"sha256": "[0-9a-f]+"/, `"sha256": "${"0".repeat(64)}"`));
    expect(sh([bin, "config", "set", "update.url", `${base}/tampered-manifest`]).code).toBe(0);
    const t2 = await run([bin, "update"]);
    expect(t2.code).not.toBe(0);
    expect(t2.err).toContain("signature does not match");

    const unsigned = join(dir, "srv", "unsigned");
    cpSync(r2, unsigned, { recursive: true });
    rmSync(join(unsigned, "manifest.json.sig"));
    expect(sh([bin, "config", "set", "update.url", `${base}/unsigned`]).code).toBe(0);
    const t3 = await run([bin, "update"]);
    expect(t3.code).not.toBe(0);
    expect(t3.err).toContain("unsigned");
    expect(sha(bin)).toBe(before);
  });

  test("update while the gateway runs: it keeps serving, the binary becomes 0.2.0; --rollback restores 0.1.0", async () => {
    const port = freePort();
    writeFileSync(join(dir, "state", "openclaw.json"), JSON.stringify({ gateway: { port, auth: { mode: "token", token: "release-e2e-token-0123456789abcdef0123" } }, update: { url: `${base}/next` } }), { mode: 0o600 });
    const gw: Subprocess = Bun.spawn([bin, "gateway", "run"], { cwd: dir, env: baseEnv(), stdout: "pipe", stderr: "pipe" });
    try {
      expect(await healthy(port, 30_000)).toBe(true);
      const u = Bun.spawn([bin, "update"], { cwd: dir, env: baseEnv(), stdout: "pipe", stderr: "pipe" });
      let served = 0;
      while (u.exitCode === null) {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) served++;
        await Bun.sleep(20);
      }
      expect(await u.exited).toBe(0);
      expect(served).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true); // the old process still serves
      expect(sh([bin, "--version"]).out).toContain("openclaw 0.2.0");
      expect(sha(bin)).toBe(sha(join(r2, "openclaw-linux-x64")));
      expect(sha(`${bin}.previous`)).toBe(sha(join(r1, "openclaw-linux-x64")));
    } finally {
      gw.kill();
      await gw.exited;
    }
    const rb = await run([bin, "update", "--rollback"]);
    expect(rb.code).toBe(0);
    expect(rb.out).toContain("0.1.0");
    expect(sh([bin, "--version"]).out).toContain("openclaw 0.1.0");
    expect(existsSync(`${bin}.previous`)).toBe(false);
  }, 120_000);

  test("a daemon that does not come back healthy after the update: the previous binary is put back by itself", async () => {
    const { runUpdate } = await import("../../src/ops/update.ts");
    const restarts: string[] = [];
    // the daemon step, observed: what version the binary on disk is at each restart; the first is unhealthy
    const restart = async () => {
      restarts.push(sh([bin, "--version"]).out.trim().split(/[ ,]/)[1] ?? "?");
      return restarts.length > 1;
    };
    const err = await runUpdate({ current: "0.1.0", execPath: bin, url: `${base}/next`, pubkey: PUB, restart }).then(() => null, (e: Error) => e);
    expect(err?.message).toContain("did not come back healthy on 0.2.0: the previous binary (0.1.0) was put back");
    expect(restarts).toEqual(["0.2.0", "0.1.0"]); // restarted on the new one, then again on the old one
    expect(sh([bin, "--version"]).out).toContain("openclaw 0.1.0");
    expect(sha(bin)).toBe(sha(join(r1, "openclaw-linux-x64")));
    // and a healthy restart keeps the new binary
    const ok = await runUpdate({ current: "0.1.0", execPath: bin, url: `${base}/next`, pubkey: PUB, restart: async () => true });
    expect(ok.action).toBe("updated");
    expect(sh([bin, "--version"]).out).toContain("openclaw 0.2.0");
  }, 120_000);
});
