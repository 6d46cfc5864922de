// e2e: a hostile glob (`**a**a**a**a**a**a**a**a**b`, which used to backtrack for minutes per long
// name) over a deep tree of long all-"a" names in the agent's workspace, called by the fake
// Anthropic model through the compiled gateway. While the tool runs — between the tool_call and
// the tool_result events the client receives — /healthz keeps answering, and the run ends ok.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { WsClient } from "../gateway/helpers.ts";
import type { GatewayChild } from "../gateway/process.ts";
import { TOKEN, startBinaryGateway, stopGateway } from "./binary-gateway.ts";

const PATTERN = "**a**a**a**a**a**a**a**a**b";
const NAME = "a".repeat(60);
const DEPTH = 12;
const DIRS_PER_LEVEL = 30;
const FILES_PER_DIR = 40;

let fake: FakeAnthropic;
let gw: GatewayChild;
let workspace = "";

/** A chain of DEPTH folders named NAME; at each level DIRS_PER_LEVEL side folders of FILES_PER_DIR files. */
function deepTree(root: string): number {
  let dir = root;
  let entries = 0;
  for (let d = 0; d < DEPTH; d++) {
    dir = join(dir, NAME);
    mkdirSync(dir, { recursive: true });
    for (let s = 0; s < DIRS_PER_LEVEL; s++) {
      const side = join(dir, `${NAME}${s}`);
      mkdirSync(side);
      for (let f = 0; f < FILES_PER_DIR; f++) writeFileSync(join(side, `${NAME}${f}`), "");
      entries += FILES_PER_DIR + 1;
    }
  }
  return entries;
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), "e2e-glob-ws-"));
  deepTree(join(workspace, "tree"));
  fake = await startFakeAnthropic({ fallback: "echo" });
  gw = await startBinaryGateway({
    gateway: { auth: { token: TOKEN } },
    models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-e2e-glob-" + "g".repeat(24) } } },
    agents: { defaults: { model: "anthropic/claude-e2e", workspace } }, // the default sandbox (standard)
  });
}, 120_000);

afterAll(async () => {
  if (gw) expect(await stopGateway(gw)).toBe(0);
  await fake?.stop();
}, 30_000);

describe("compiled binary: a hostile glob does not stall the gateway", () => {
  test("/healthz answers while the glob runs, and the run ends ok", async () => {
    fake.enqueue(reply.toolUse("glob", { pattern: PATTERN, path: "tree" }), reply.text("globbed"));
    const c = await WsClient.connect(`${gw.url.replace("http", "ws")}/ws`);
    expect((await c.call("auth", { token: TOKEN })).result.ok).toBe(true);

    // the phase is what the client has seen of the run; each /healthz answer is counted in the phase it arrived in
    let phase: "before" | "tool" | "after" = "before";
    const answers = { before: 0, tool: 0, after: 0 };
    const stopPolling = new AbortController(); // a stalled gateway never answers the poll in flight
    const poller = (async () => {
      for (let i = 0; !stopPolling.signal.aborted && i < 200_000; i++) {
        const res = await fetch(`${gw.url}/healthz`, { signal: stopPolling.signal }).catch((err) => {
          if (stopPolling.signal.aborted) return null;
          throw err;
        });
        if (!res) break;
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        answers[phase]++;
      }
    })();
    const r = (await c.call("chat.send", { sessionKey: "agent:main:glob", text: "find the b files" })).result;
    try {
      await c.until(() => {
        const evs = c.events(r.runId);
        if (phase === "before" && evs.some((e) => e.type === "tool_call")) phase = "tool";
        if (phase === "tool" && evs.some((e) => e.type === "tool_result")) phase = "after";
        return evs.some((e) => e.type === "final");
      }, 45_000, "the run's final event");
    } finally {
      stopPolling.abort();
      await poller;
      c.close();
    }
    const evs = c.events(r.runId);
    const result = evs.find((e) => e.type === "tool_result");
    expect(result).toMatchObject({ isError: false });
    expect(result.output).toContain("no files match"); // no name holds a "b"
    expect(evs.find((e) => e.type === "final")).toMatchObject({ outcome: "ok", text: "globbed" });
    // a stalled event loop answers nothing between the two events (at most the one poll already in flight)
    expect(answers.tool).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
