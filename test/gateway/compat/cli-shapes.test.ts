// What the official `openclaw` CLI (2026.9.6) reads from our answers (test/e2e/openclaw-cli.test.ts
// runs the CLI itself): `openclaw status` reads OpenClaw's StatusSummary (`sessions.byAgent`, …),
// `openclaw agent` prints `result.payloads[].text` of the agent's final answer.
import { afterEach, expect, test } from "bun:test";
import { listen, makeHarness, TOKEN, type Harness } from "../helpers.ts";
import type { RunningServer } from "../../../src/gateway/server.ts";
import { ocConnect, type OcClient } from "./oc-client.ts";

let h: Harness | undefined;
let srv: RunningServer | undefined;
afterEach(async () => {
  await srv?.stop(true);
  await h?.close();
  h = srv = undefined;
});

async function connected(): Promise<OcClient> {
  h = makeHarness({});
  srv = listen(h);
  const c = await ocConnect(`ws://127.0.0.1:${srv.port}/`);
  expect((await c.connect({ token: TOKEN })).ok).toBe(true);
  return c;
}

test("status answers OpenClaw's StatusSummary (sessions.count/recent/byAgent, heartbeat, tasks) beside our fields", async () => {
  const c = await connected();
  const sent = await c.request("chat.send", { sessionKey: "main", message: "hi", idempotencyKey: "s1" });
  await c.until(() => c.events("chat", sent.payload.runId).find((e) => e.state === "final"), "the final chat event");
  const st = (await c.request("status", { includeChannelSummary: false, includeCliProjection: true })).payload;
  expect(st.version).toBe("test");
  expect(st.runtimeVersion).toBe("test");
  expect(st.sessions.count).toBe(1);
  expect(st.sessions.recent.map((r: any) => r.key)).toEqual(["agent:main:main"]);
  expect(st.sessions.byAgent).toHaveLength(1);
  expect(st.sessions.byAgent[0]).toMatchObject({ agentId: "main", count: 1 });
  expect(st.sessions.byAgent[0].recent[0].key).toBe("agent:main:main");
  expect(typeof st.sessions.byAgent[0].recent[0].age).toBe("number");
  expect(st.heartbeat).toEqual({ defaultAgentId: "main", agents: [] });
  expect(st.tasks.byStatus.running).toBe(0);
  expect(st.taskAudit.byCode.lost).toBe(0);
  expect(st.queuedSystemEvents).toEqual([]);
  c.close();
});

test("agent's final answer carries result.payloads [{text}] (what `openclaw agent` prints)", async () => {
  const c = await connected();
  const res = await c.request("agent", { message: "print me", idempotencyKey: "p1" });
  const final = await c.until(() => c.frames.find((f) => f.type === "res" && f.id === res.id && f.payload.status !== "accepted"), "the agent's final res");
  expect(final.payload.result.payloads).toEqual([{ text: "echo: print me" }]);
  c.close();
});
