// The plugin host inside `openclaw gateway run` (a real child process from source): plugins start
// with the gateway (one from <state dir>/extensions, one from plugins.load.paths, one refused),
// plugins.list / status report them, a plugin command answers chat.send without a model call, a
// plugin hook rewrites the message the model sees, plugins.restart, and SIGTERM stops the plugins.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { TOKEN, WsClient } from "../gateway/helpers.ts";
import { spawnGateway, tempState } from "../gateway/process.ts";
import { fixture } from "./helpers.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ fallback: "echo" });
});
afterAll(() => fake.stop());

const alive = (pid: number) => existsSync(`/proc/${pid}`);

describe("plugins in the gateway process", () => {
  test("start with the gateway, answer over chat.send, report in plugins.list and status, stop with it", async () => {
    const st = tempState({
      gateway: { auth: { token: TOKEN } },
      models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-test-" + "k".repeat(24) } } },
      agents: { defaults: { model: "anthropic/claude-test", sandbox: { level: "off" } } },
      plugins: { load: { paths: [fixture("prio-high"), fixture("throws-load")] }, entries: { "throws-load": { enabled: false } } },
    });
    mkdirSync(join(st.stateDir, "extensions"), { recursive: true });
    cpSync(fixture("command"), join(st.stateDir, "extensions", "command"), { recursive: true });
    const gw = await spawnGateway(st).started;
    const client = await WsClient.connect(`ws://127.0.0.1:${gw.port}/ws`, { token: TOKEN });
    try {
      const list = (await client.call("plugins.list", {})).result.plugins as { id: string; state: string; reason?: string; pid?: number; source: string }[];
      expect(list.map((p) => [p.id, p.state, p.source])).toEqual([["prio-high", "running", "load.paths"], ["command", "running", "extensions"], ["throws-load", "skipped", "load.paths"]]);
      expect(list[2]!.reason).toBe("plugins.entries.throws-load.enabled is false");
      const status = (await client.call("status", {})).result;
      expect(status.plugins).toContainEqual({ id: "throws-load", state: "skipped", reason: "plugins.entries.throws-load.enabled is false" });

      const before = fake.requests.length;
      const cmd = (await client.call("chat.send", { sessionKey: "agent:main:plug", text: "/echo from the gateway" })).result;
      await client.until(() => client.events(cmd.runId).some((e) => e.type === "final"), 10_000, "the command's final");
      expect(client.events(cmd.runId).find((e) => e.type === "final")).toMatchObject({ outcome: "ok", text: "echo(gateway): from the gateway" });
      expect(fake.requests.length).toBe(before); // no model call

      fake.enqueue(reply.text("answered"));
      const run = (await client.call("chat.send", { sessionKey: "agent:main:plug", text: "hello" })).result;
      await client.until(() => client.events(run.runId).some((e) => e.type === "final"), 10_000, "the turn's final");
      expect(JSON.stringify(fake.requests.at(-1)!.body)).toContain("hello>high"); // prio-high's BeforeMessage rewrote it

      const restarted = (await client.call("plugins.restart", { id: "command" })).result.plugin;
      expect(restarted).toMatchObject({ id: "command", state: "running", crashes: 0 });
      const pids = ((await client.call("plugins.list", {})).result.plugins as { pid?: number }[]).flatMap((p) => (p.pid ? [p.pid] : []));
      expect(pids.length).toBe(2);
      expect((await client.call("plugins.restart", { id: "nope" })).error).toMatchObject({ message: "no plugin nope; openclaw plugins list shows the installed ones" });
      client.close();
      gw.proc.kill("SIGTERM");
      expect(await gw.exited).toBe(0);
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      client.close();
      gw.proc.kill("SIGKILL");
    }
  }, 60_000);
});
