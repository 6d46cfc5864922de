// e2e: the official `openclaw` npm package's CLI (2026.9.6, pinned, installed on first use by
// openclaw-cli.ts) against the compiled binary with the fake Anthropic server, pointed at it as an
// OpenClaw user would: `--url` + `--token` on `gateway …` commands, OPENCLAW_GATEWAY_URL +
// OPENCLAW_GATEWAY_TOKEN for `status` and `agent`. The CLI has its own HOME and state dir (temp).
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { TOKEN, useBinaryGateway } from "./binary-gateway.ts";
import { cliHome, ensureOpenclawCli, runOpenclawCli } from "./openclaw-cli.ts";

const rig = useBinaryGateway((fakeUrl) => ({
  gateway: { auth: { token: TOKEN } },
  models: { providers: { anthropic: { baseUrl: fakeUrl, apiKey: "sk-ant-e2e-" + "k".repeat(24) } } },
  agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "standard" } } },
}));

let env: Record<string, string> = {};
beforeAll(() => {
  ensureOpenclawCli(); // the first run installs it (about a minute here; see docs/openclaw-protocol.md)
  env = cliHome();
}, 900_000);

const wsUrl = () => rig.gw.url.replace("http", "ws");
const viaEnv = () => ({ ...env, OPENCLAW_GATEWAY_URL: wsUrl(), OPENCLAW_GATEWAY_TOKEN: TOKEN });
const shown = (args: string[]) => `openclaw ${args.join(" ").replaceAll(TOKEN, "<token>")}`;

/** `openclaw <args>` must exit 0; its stdout parsed as JSON when `json`. */
async function cli(args: string[], e: Record<string, string> = env, json = true): Promise<any> {
  const r = await runOpenclawCli(args, e);
  if (r.code !== 0) throw new Error(`${shown(args)} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  if (!json) return r.stdout;
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`${shown(args)} printed no JSON:\n${r.stdout}\n${r.stderr}`);
  }
}

const call = (method: string, params?: unknown, extra: string[] = []) =>
  cli(["gateway", "call", method, "--url", wsUrl(), "--token", TOKEN, "--json", ...(params ? ["--params", JSON.stringify(params)] : []), ...extra]);

describe("the official openclaw CLI against the compiled binary", () => {
  test("gateway call health; gateway call status; gateway status --require-rpc", async () => {
    const h = await call("health");
    expect(h).toMatchObject({ ok: true, version: "0.1.0" });
    const s = await call("status");
    expect(s.version).toBe("0.1.0");
    expect(s.sessions.byAgent[0].agentId).toBe("main");
    const probe = await cli(["gateway", "status", "--url", wsUrl(), "--token", TOKEN, "--require-rpc", "--json"]);
    expect(probe.rpc).toMatchObject({ ok: true, kind: "read", server: { version: "0.1.0" } });
    const presence = await call("system-presence");
    expect(presence.map((p: any) => p.reason)).toContain("self");
  }, 180_000);

  test("a chat: gateway call chat.send, agent --expect-final, chat.history", async () => {
    const sent = await call("chat.send", { sessionKey: "cli", message: "hello from the openclaw cli", idempotencyKey: "cli-1" });
    expect(sent).toMatchObject({ status: "started" });
    const fin = await call("agent", { message: "and the agent method", sessionKey: "cli", idempotencyKey: "cli-2" }, ["--expect-final"]);
    expect(fin).toMatchObject({ runId: "cli-2", status: "ok", result: { payloads: [{ text: "and the agent method" }] } });
    const hist = await call("chat.history", { sessionKey: "cli" });
    expect(hist.sessionKey).toBe("agent:main:cli");
    // the agent call waited for its run, which ran after the chat.send run in the same session
    expect(hist.messages.map((m: any) => `${m.role}:${m.content[0].text}`)).toEqual([
      "user:hello from the openclaw cli",
      "assistant:hello from the openclaw cli",
      "user:and the agent method",
      "assistant:and the agent method",
    ]);
  }, 180_000);

  test("openclaw agent (through the gateway) prints the reply; openclaw status --json reads our status", async () => {
    const out = await cli(["agent", "--session-key", "agent:main:cli-agent", "--message", "reply through the gateway"], viaEnv(), false);
    expect(out.trim()).toBe("reply through the gateway");
    const st = await cli(["status", "--json"], viaEnv());
    expect(st.gateway).toMatchObject({ reachable: true });
    expect(st.sessions.count).toBeGreaterThanOrEqual(2);
  }, 180_000);

  test("the CLI kept to its own home (nothing under the test's HOME); the gateway log never shows the token", () => {
    expect(existsSync(join(process.env.HOME!, ".openclaw"))).toBe(false);
    expect(rig.gw.stderr()).not.toContain(TOKEN);
  });
});
