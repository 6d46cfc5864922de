// e2e: the compiled binary's dashboard login without a browser: `openclaw dashboard --json` mints
// a link through the running `dist/openclaw gateway run`, the code buys a cookie once, the cookie
// opens /ws (the pages' methods answer), logout closes the socket.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../../src/cli/version.ts";
import { freePort } from "../cli/run.ts";
import { TOKEN, WsClient } from "../gateway/helpers.ts";
import { spawnGateway, type GatewayChild } from "../gateway/process.ts";
import { stopGateway } from "./binary-gateway.ts";
import { freshBinary } from "./fresh-binary.ts";

setDefaultTimeout(60_000);

let bin = "";
let gw: GatewayChild;
let env: Record<string, string>;
beforeAll(async () => {
  bin = freshBinary();
  const stateDir = mkdtempSync(join(tmpdir(), "e2e-dash-"));
  const configPath = join(stateDir, "openclaw.json");
  const port = freePort();
  writeFileSync(configPath, JSON.stringify({ gateway: { port }, agents: { defaults: { sandbox: { level: "off" } } } }), { mode: 0o600 });
  env = { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: configPath, OPENCLAW_GATEWAY_TOKEN: TOKEN, DISPLAY: "", WAYLAND_DISPLAY: "", NO_COLOR: "1" };
  gw = await spawnGateway({ stateDir, configPath, cmd: [bin], args: ["--port", String(port)], env }).started;
}, 300_000);
afterAll(async () => {
  if (gw) expect(await stopGateway(gw)).toBe(0);
});

test("openclaw dashboard → /auth/exchange → cookie on /ws → logout closes it", async () => {
  const minted = Bun.spawnSync([bin, "dashboard", "--json"], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe", timeout: 30_000 });
  expect(minted.stderr.toString()).toBe("");
  const link = JSON.parse(minted.stdout.toString());
  expect(link).toMatchObject({ ok: true, opened: false });
  expect(link.url).toBe(`${gw.url}/#/login?code=${link.code}`);

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, { method: "POST", headers: { origin: gw.url, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const res = await post("/auth/exchange", { code: link.code });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get("set-cookie")!;
  expect(setCookie).toMatch(/^openclaw_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
  expect((await post("/auth/exchange", { code: link.code })).status).toBe(401);
  const cookie = setCookie.split(";")[0]!;

  const ws = await WsClient.connect(`${gw.url.replace("http", "ws")}/ws`, { headers: { cookie, origin: gw.url } });
  const snap = await ws.call("metrics.snapshot", {});
  expect(snap.result.version).toBe(VERSION);
  expect(snap.result.runsByOutcome).toEqual({ ok: 0, aborted: 0, error: 0, limit: 0, interrupted: 0 });
  expect((await ws.call("config.schema", {})).result.schema.properties.gateway).toBeDefined();
  expect((await ws.call("sessions.list", { query: "nothing" })).result.sessions).toEqual([]);
  expect((await ws.call("dashboard.code", {})).error.code).toBe(-32002);

  expect((await post("/auth/logout", {}, { cookie })).status).toBe(204);
  expect((await ws.closedP).code).toBe(1008);
  expect(gw.stderr()).not.toContain(cookie.split("=")[1]!);
  expect(gw.stderr()).not.toContain(link.code);
});
