// e2e: a published OpenClaw protocol client, openclaw-node (pinned devDependency), against the
// compiled binary with the fake Anthropic server: the challenge/connect handshake with its Ed25519
// device identity (loopback: approved at once, device token persisted by the client), health,
// status, a chat through chat.send with its chat events, sessions and history, and a reconnect on
// the persisted device token alone.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OpenClawClient } from "openclaw-node";
import { TOKEN } from "../gateway/helpers.ts";
import { ROOT, spawnGateway, tempState, type GatewayChild } from "../gateway/process.ts";
import { freshBinary } from "./fresh-binary.ts";

const BIN = join(ROOT, "dist", "openclaw");
let fakeProc: Bun.Subprocess<"ignore", "pipe", "pipe">;
let gw: GatewayChild;
let stateDir = "";

beforeAll(async () => {
  freshBinary();
  fakeProc = Bun.spawn([process.execPath, join(ROOT, "test/fakes/anthropic.ts"), "--port", "0"], { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let out = "";
  let fakeUrl = "";
  for await (const chunk of fakeProc.stdout) {
    out += new TextDecoder().decode(chunk);
    const m = /FAKE_ANTHROPIC_URL=(\S+)/.exec(out);
    if (m) {
      fakeUrl = m[1]!;
      break;
    }
  }
  if (!fakeUrl) throw new Error(`fake anthropic did not start: ${out}`);
  const st = tempState({
    gateway: { auth: { token: TOKEN } },
    models: { providers: { anthropic: { baseUrl: fakeUrl, apiKey: "sk-ant-e2e-" + "k".repeat(24) } } },
    agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "standard" } } },
  });
  stateDir = st.stateDir;
  gw = await spawnGateway({ ...st, cmd: [BIN] }).started;
}, 120_000);

afterAll(async () => {
  gw?.proc.kill("SIGTERM");
  if (gw) expect(await gw.exited).toBe(0);
  fakeProc?.kill("SIGTERM");
});

const identityPath = () => join(stateDir, "client", "device-identity.json");
const wsUrl = () => gw.url.replace("http", "ws");

function client(token?: string): OpenClawClient {
  return new OpenClawClient({ url: wsUrl(), ...(token ? { token } : {}), autoReconnect: false, deviceIdentityPath: identityPath() });
}

/** Resolves with the chat event that ends `runId`; rejects after `ms` naming what it waited for. */
function chatEnd(c: OpenClawClient, runId: string, ms = 20_000): Promise<any> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for the end of run ${runId}`)), ms);
    c.on("event", (ev: any) => {
      if (ev.event === "chat" && ev.payload?.runId === runId && ev.payload.state !== "delta") {
        clearTimeout(t);
        resolve(ev.payload);
      }
    });
  });
}

describe("openclaw-node against the compiled binary", () => {
  test("connect (challenge, device identity, token) → hello-ok; health; status; a chat; sessions and history", async () => {
    const c = client(TOKEN);
    const hello: any = await c.connect();
    expect(hello.type).toBe("hello-ok");
    expect(hello.protocol).toBe(4);
    expect(hello.features.methods).toContain("chat.send");
    expect(hello.auth.scopes).toEqual(["operator.read", "operator.write"]);
    expect(typeof hello.auth.deviceToken).toBe("string");

    const health: any = await c.health();
    expect(health.ok).toBe(true);
    const status: any = (await c.request("status")).payload;
    expect(status.version).toBeString();

    const sent: any = await c.sessions.send("main", "hello from openclaw-node");
    expect(sent.runId).toMatch(/^run_/);
    const end = await chatEnd(c, sent.runId);
    expect(end.state).toBe("final");
    expect(end.sessionKey).toBe("agent:main:main");
    expect(end.message.content[0].text.length).toBeGreaterThan(0);

    const list: any = await c.sessions.list();
    expect(list.sessions.map((s: any) => s.key)).toContain("agent:main:main");
    const hist: any = await c.sessions.history("main");
    expect(hist.messages[0]).toMatchObject({ role: "user", content: [{ type: "text", text: "hello from openclaw-node" }] });
    await c.disconnect();

    // the client persisted its device token; the gateway stored only its digest, 0600
    const identity = JSON.parse(readFileSync(identityPath(), "utf8"));
    expect(identity.deviceToken).toBe(hello.auth.deviceToken);
    const devices = readFileSync(join(stateDir, "devices", "devices.json"), "utf8");
    expect(devices).toContain(identity.deviceId);
    expect(devices).not.toContain(identity.deviceToken);
  }, 60_000);

  test("openclaw-node's chat() streams an agent run and chatSync() returns the reply", async () => {
    const c = client(TOKEN);
    await c.connect();
    const chunks: any[] = [];
    for await (const chunk of c.chat("stream this please", { sessionKey: "e2e-stream" })) chunks.push(chunk);
    const text = chunks.filter((k) => k.type === "text").map((k) => k.text).join("");
    expect(text).toContain("stream this please");
    expect(chunks.map((k) => k.type)).toContain("agent_start");
    expect(chunks.at(-1).type).toBe("done");
    expect(await c.chatSync("and this one", { sessionKey: "e2e-sync" })).toContain("and this one");
    await c.disconnect();
  }, 60_000);

  test("a reconnect on the persisted device token alone (no shared token) is admitted with the device's scopes", async () => {
    const c = client();
    const hello: any = await c.connect();
    expect(hello.auth.scopes).toEqual(["operator.read", "operator.write"]);
    expect(hello.auth.deviceToken).toBeUndefined();
    await expect(c.request("config.get")).rejects.toThrow(/operator|admin|scope/);
    await c.disconnect();
  }, 30_000);

  test("a wrong token is refused and the gateway log never shows it", async () => {
    const c = new OpenClawClient({ url: wsUrl(), token: "definitely-wrong-token-value", autoReconnect: false, deviceIdentityPath: join(stateDir, "client2", "id.json") });
    await expect(c.connect()).rejects.toThrow();
    expect(gw.stderr()).not.toContain("definitely-wrong-token-value");
  }, 30_000);
});
