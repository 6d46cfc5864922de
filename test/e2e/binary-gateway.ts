// Shared by the e2e files that run `dist/openclaw gateway run`: the fresh binary, a gateway with a
// config written where the test says (which may be outside the state dir), a bounded wait that
// fails loudly, a stop that must end with exit 0, and JSON-RPC over POST /rpc.
import { afterAll, beforeAll, expect } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { TOKEN, WsClient } from "../gateway/helpers.ts";
import { spawnGateway, type GatewayChild } from "../gateway/process.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { BUILT, freshBinary } from "./fresh-binary.ts";

export { TOKEN };

/** Starts the (fresh) binary with `config` at `configPath` (default: inside a new state dir). */
export async function startBinaryGateway(config: Record<string, unknown>, opts: { configPath?: string; env?: Record<string, string> } = {}): Promise<GatewayChild> {
  freshBinary();
  const stateDir = mkdtempSync(join(tmpdir(), "e2e-gw-"));
  const configPath = opts.configPath ?? join(stateDir, "openclaw.json");
  mkdirSync(dirname(configPath), { recursive: true });
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  return spawnGateway({ stateDir, configPath, cmd: [BUILT], ...(opts.env ? { env: opts.env } : {}) }).started;
}

/** SIGTERM, then the exit code; throws (naming the stderr) when the process has not ended within `timeoutMs`. */
export async function stopGateway(gw: GatewayChild, timeoutMs = 15_000): Promise<number> {
  gw.proc.kill("SIGTERM");
  const code = await Promise.race([gw.exited, Bun.sleep(timeoutMs).then(() => null)]);
  if (code === null) {
    gw.proc.kill("SIGKILL");
    throw new Error(`the gateway did not exit within ${timeoutMs} ms of SIGTERM:\n${gw.stderr()}`);
  }
  return code;
}

/** Polls `probe` until it returns a value; throws naming `what` after `timeoutMs`. */
export async function waitUntil<T>(probe: () => Promise<T | undefined>, what: string | (() => string), timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    await Bun.sleep(50);
  }
}

/** One JSON-RPC call over POST /rpc with the token; the parsed response body. */
// biome-ignore lint: JSON-RPC answers are arbitrary JSON
export async function rpc(gw: GatewayChild, method: string, params: unknown = {}): Promise<any> {
  const res = await fetch(`${gw.url}/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return res.json();
}

/** A WebSocket to the gateway's /ws, authenticated with TOKEN by the first frame; throws if refused. */
export async function connectAuthed(gw: GatewayChild): Promise<WsClient> {
  const ws = await WsClient.connect(`${gw.url.replace("http", "ws")}/ws`);
  const res = await ws.call("auth", { token: TOKEN });
  if (res.result?.ok !== true) throw new Error(`the gateway refused the auth frame: ${JSON.stringify(res)}`);
  return ws;
}

export interface BinaryRig {
  fake: FakeAnthropic;
  gw: GatewayChild;
  ws: WsClient;
}

/**
 * For a whole file: the fake Anthropic API (echo fallback), the compiled gateway with the config
 * `config(fakeUrl)` returns, and one authenticated socket; all stopped after the file (the gateway
 * must exit 0). The fields are set once beforeAll has run.
 */
export function useBinaryGateway(config: (fakeUrl: string) => Record<string, unknown>): BinaryRig {
  const rig = {} as BinaryRig;
  beforeAll(async () => {
    rig.fake = await startFakeAnthropic({ fallback: "echo" });
    rig.gw = await startBinaryGateway(config(rig.fake.url));
    rig.ws = await connectAuthed(rig.gw);
  }, 300_000);
  afterAll(async () => {
    rig.ws?.close();
    if (rig.gw) expect(await stopGateway(rig.gw)).toBe(0);
    await rig.fake?.stop();
  });
  return rig;
}
