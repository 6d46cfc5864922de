// `openclaw dashboard` as a real subprocess against a real gateway on 127.0.0.1:0 (its lock names
// this process): the link it prints logs in once; it opens a browser only on a desktop and never
// with --no-open; without a gateway it says how to start one.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listen, makeHarness, TOKEN, waitFor } from "../gateway/helpers.ts";
import { runCliAsync, tempState } from "./run.ts";

const h = makeHarness();
const srv = listen(h);
const { dir, env } = tempState();
mkdirSync(join(dir, "state", "state"), { recursive: true });
writeFileSync(env.OPENCLAW_CONFIG_PATH!, JSON.stringify({ gateway: { port: srv.port } }), { mode: 0o600 });
writeFileSync(join(dir, "state", "state", "gateway.lock"), `${process.pid}\n`);
const bin = join(dir, "bin");
mkdirSync(bin);
const opened = join(dir, "opened.txt");
writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(opened)}\n`);
chmodSync(join(bin, "xdg-open"), 0o755);
const base = { ...env, OPENCLAW_GATEWAY_TOKEN: TOKEN, PATH: `${bin}:${process.env.PATH}`, DISPLAY: "", WAYLAND_DISPLAY: "" };
afterAll(async () => {
  await srv.stop(true);
  await h.close();
});

describe("openclaw dashboard", () => {
  test("--json: a one-time link in the fragment, which logs in exactly once", async () => {
    const r = await runCliAsync(["dashboard", "--json"], base);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, opened: false });
    expect(out.url).toBe(`http://127.0.0.1:${srv.port}/#/login?code=${out.code}`);
    expect(out.expiresAt).toBeGreaterThan(Date.now());
    const exchange = () => fetch(`http://127.0.0.1:${srv.port}/auth/exchange`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: out.code }) });
    expect((await exchange()).status).toBe(200);
    expect((await exchange()).status).toBe(401);
  });
  test("text output prints the link and how long it is good for; no desktop: nothing is opened", async () => {
    const r = await runCliAsync(["dashboard"], base);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Open the dashboard:\\n  http://127\\.0\\.0\\.1:${srv.port}/#/login\\?code=[A-Za-z0-9_-]{22}\\nThe link works once, within (59|60) s`));
    expect(existsSync(opened)).toBe(false);
  });
  test("--no-open on a desktop: printed, not opened", async () => {
    const r = await runCliAsync(["dashboard", "--no-open", "--json"], { ...base, DISPLAY: ":99" });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).opened).toBe(false);
    expect(existsSync(opened)).toBe(false);
  });
  test("on a desktop the link is opened with xdg-open (no shell)", async () => {
    const r = await runCliAsync(["dashboard", "--json"], { ...base, DISPLAY: ":99" });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.opened).toBe(true);
    await waitFor(() => existsSync(opened) && readFileSync(opened, "utf8").length > 0, "the fake xdg-open to record its argument");
    expect(readFileSync(opened, "utf8")).toBe(out.url + "\n");
  });
  test("a desktop without an opener: a warning, the link printed, exit 0", async () => {
    const r = await runCliAsync(["dashboard"], { ...base, DISPLAY: ":99", PATH: join(dir, "no-such-bin") });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("could not open a browser");
    expect(r.stdout).toContain("Open the dashboard:");
  });
  test("a gateway without dashboard.code (older binary): exit 1, saying to restart it", async () => {
    const old = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        if (new URL(req.url).pathname === "/healthz") return Response.json({ ok: true });
        const body = await req.json();
        return Response.json({ jsonrpc: "2.0", id: body.id, error: { code: -32601, message: "Method not found", data: { type: "MethodNotFoundError" } } });
      },
    });
    try {
      const other = tempState();
      mkdirSync(join(other.dir, "state", "state"), { recursive: true });
      writeFileSync(other.env.OPENCLAW_CONFIG_PATH!, JSON.stringify({ gateway: { port: old.port } }), { mode: 0o600 });
      writeFileSync(join(other.dir, "state", "state", "gateway.lock"), `${process.pid}\n`);
      const r = await runCliAsync(["dashboard", "--no-open"], { ...other.env, OPENCLAW_GATEWAY_TOKEN: TOKEN });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("older than this openclaw");
      expect(r.stderr).toContain("restart");
    } finally {
      old.stop(true);
    }
  });
  test("no gateway running: exit 1, naming how to start one", async () => {
    const other = tempState();
    const r = await runCliAsync(["dashboard", "--no-open"], { ...other.env, OPENCLAW_GATEWAY_TOKEN: TOKEN });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("openclaw gateway run");
    expect(r.stderr).not.toContain(TOKEN);
  });
});
