// e2e: secrets stay out of the default sandbox (level standard, real bwrap) on the compiled binary.
// The config file lives at OPENCLAW_CONFIG_PATH in a folder outside HOME and the state dir that the
// sandbox does see (on the read-only host root, not under /tmp, which is a fresh tmpfs inside it and
// would prove nothing): `exec cat <config>` reads nothing while a file beside it reads fine, and
// neither the tool_result the model receives next nor chat.history holds the key or the file's text.
// A command that prints the key (given in the prompt) comes back masked.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import type { GatewayChild } from "../gateway/process.ts";
import { visibleHostBase } from "../sandbox/bwrap-helpers.ts";
import { WsClient } from "../gateway/helpers.ts";
import { TOKEN, connectAuthed, startBinaryGateway, stopGateway } from "./binary-gateway.ts";

const KEY = `sk-ant-api03-${crypto.randomUUID().replaceAll("-", "")}E2ECONFIGKEY`;
const MARKER = "E2E-CONFIG-FILE-MARKER"; // an unknown key's value (a warning, no more): spots the file's text
const CANARY = "CANARY-BESIDE-THE-CONFIG";
const base = mkdtempSync(join(visibleHostBase(), ".sandbox-test-e2e-secrets-")); // .sandbox-test-* is git-ignored
const configPath = join(base, "etc", "openclaw.json");
const canaryPath = join(base, "etc", "visible.txt");

let fake: FakeAnthropic;
let gw: GatewayChild;
let ws: WsClient;

beforeAll(async () => {
  fake = await startFakeAnthropic({ fallback: "echo" });
  gw = await startBinaryGateway(
    {
      gateway: { auth: { token: TOKEN } },
      models: { providers: { anthropic: { baseUrl: fake.url, apiKey: KEY } } },
      agents: { defaults: { model: "anthropic/claude-e2e" } }, // the default sandbox: no sandbox key at all
      e2eMarker: MARKER,
    },
    { configPath },
  );
  // readable by anyone, like the canary: a "Permission denied" (the sandbox's user is not the file's
  // owner) would hide a missing mask
  chmodSync(configPath, 0o644);
  writeFileSync(canaryPath, CANARY, { mode: 0o644 });
  ws = await connectAuthed(gw);
}, 120_000);

afterAll(async () => {
  ws?.close();
  if (gw) expect(await stopGateway(gw)).toBe(0);
  await fake?.stop();
  rmSync(base, { recursive: true, force: true });
});

/** One run with a scripted exec; the tool_result event, and the tool_result the model got next. */
async function execRun(sessionKey: string, text: string, command: string): Promise<{ output: string; sentToModel: string }> {
  const before = fake.bodies().length;
  fake.enqueue(reply.toolUse("exec", { command }), reply.text("done"));
  const r = (await ws.call("chat.send", { sessionKey, text })).result;
  expect(r?.runId).toBeString();
  await ws.until(() => ws.events(r.runId).some((e) => e.type === "final"), 45_000, `the final event of ${sessionKey}`);
  expect(ws.events(r.runId).find((e) => e.type === "final")).toMatchObject({ outcome: "ok" });
  const result = ws.events(r.runId).find((e) => e.type === "tool_result");
  expect(result.isError).toBe(false);
  const next = fake.bodies()[before + 1];
  const blocks = next.messages.flatMap((m: { content: unknown }) => (Array.isArray(m.content) ? m.content : []));
  const toolResults = blocks.filter((b: { type: string }) => b.type === "tool_result");
  expect(toolResults.length).toBeGreaterThan(0);
  return { output: String(result.output), sentToModel: JSON.stringify(toolResults) };
}

describe("compiled binary: secrets masked in the default (standard) sandbox", () => {
  test("the default sandbox is standard and available", async () => {
    const ready = await (await fetch(`${gw.url}/readyz`)).json();
    expect(ready.sandbox).toEqual({ level: "standard", available: true }); // bwrap runs here; never a fall back to off
  });

  test("cat of the config file (outside HOME and the state dir) reads nothing; the file beside it reads", async () => {
    expect(readFileSync(configPath, "utf8")).toContain(KEY); // the gateway's own file holds the key
    const { output, sentToModel } = await execRun("agent:main:cat-config", "show me the config", `cat ${configPath}; echo "cat=$?"; cat ${canaryPath}`);
    expect(output).toContain(CANARY); // the folder is visible: the file itself is what is masked
    // the mask is a read-only /dev/null on a nodev mount: cat gets nothing, or EACCES; the canary has
    // the same mode (0644) and reads, so the permissions are not what stops it
    expect(output).toMatch(/cat=0|openclaw\.json: Permission denied/);
    for (const leak of [KEY, KEY.slice(-16), MARKER, '"providers"']) {
      expect(output).not.toContain(leak);
      expect(sentToModel).not.toContain(leak);
    }
    const hist = JSON.stringify((await ws.call("chat.history", { sessionKey: "agent:main:cat-config" })).result);
    expect(hist).toContain(CANARY);
    for (const leak of [KEY, KEY.slice(-16), MARKER, '"providers"']) expect(hist).not.toContain(leak);
  }, 60_000);

  test("a tool output that prints the key comes back masked", async () => {
    const { output, sentToModel } = await execRun("agent:main:echo-key", `print this: ${KEY}`, `echo "key=${KEY}"`);
    expect(output).toContain("key=sk-ant-"); // the command ran and printed something in the key's place…
    expect(output).toContain(`…${KEY.slice(-4)}`); // …its masked form
    expect(output).not.toContain(KEY);
    expect(sentToModel).not.toContain(KEY);
    const hist = (await ws.call("chat.history", { sessionKey: "agent:main:echo-key" })).result.entries;
    const stored = JSON.stringify(hist.filter((e: { kind: string }) => e.kind === "tool_result"));
    expect(stored).toContain("key=sk-ant-");
    expect(stored).not.toContain(KEY);
  }, 60_000);
});
