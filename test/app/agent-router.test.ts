// AgentRouter over real AgentRuntimes (scripted providers, one MemoryStore): routing, the merged
// run list and event stream, abort and reset reaching the runtime that holds the session, policy and
// shutdown applied to every agent.
import { describe, expect, test } from "bun:test";
import { AgentRouter } from "../../src/app/agent-router.ts";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { agentOfSessionKey, UnknownAgentError } from "../../src/config/agents.ts";
import { InvalidParamsError } from "../../src/core/errors.ts";
import type { GatewayRuntime } from "../../src/gateway/deps.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { defaultTools } from "../../src/tools/registry.ts";
import { say, ScriptedProvider } from "../fakes/scripted-provider.ts";

function makeRouter() {
  const store = new MemoryStore();
  const providers = { main: new ScriptedProvider(() => say.text("from main")), work: new ScriptedProvider(() => say.text("from work", { hang: true })) };
  const runtimes = new Map(
    Object.entries(providers).map(([id, p]) => [id, new AgentRuntime(p, { agentId: id }).withStore(store).withTools(defaultTools().slice(0, 3))] as const),
  );
  const router = new AgentRouter(runtimes, store);
  const served: GatewayRuntime = router; // the router is what the gateway serves
  return { router, served, providers, runtimes, store };
}

describe("AgentRouter", () => {
  test("agentOfSessionKey reads agent:<id>:…", () => {
    expect(agentOfSessionKey("agent:work:main")).toBe("work");
    expect(agentOfSessionKey("agent:work:telegram:direct:1")).toBe("work");
    expect(agentOfSessionKey("cli:test")).toBeNull();
    expect(agentOfSessionKey(undefined)).toBeNull();
  });

  test("route: agentId, else the session key's configured agent, else main; unknown and conflicting ids refused", () => {
    const { router } = makeRouter();
    expect(router.agentIds()).toEqual(["main", "work"]);
    expect(router.route({ agentId: "work" })).toBe("work");
    expect(router.route({ sessionKey: "agent:work:x" })).toBe("work");
    expect(router.route({ sessionKey: "cli:test" })).toBe("main");
    expect(() => router.route({ sessionKey: "agent:other:x" })).toThrow(`unknown agent "other"; configured agents: main, work`);
    expect(router.route({})).toBe("main");
    expect(() => router.route({ agentId: "ghost" })).toThrow(UnknownAgentError);
    expect(() => router.route({ agentId: "ghost" })).toThrow(`configured agents: main, work`);
    expect(() => router.route({ agentId: "main", sessionKey: "agent:work:x" })).toThrow(InvalidParamsError);
    expect(() => router.get("ghost")).toThrow(UnknownAgentError);
  });

  test("runs and events of every agent are merged; abort reaches the runtime holding the run", async () => {
    const { router, providers } = makeRouter();
    const seen: string[] = [];
    const off = router.onEvent((e) => e.type === "final" && seen.push(`${e.sessionKey}:${e.outcome}`));
    const m = await router.start({ text: "hi" });
    expect((await m.done).text).toBe("from main");
    const w = await router.start({ agentId: "work", text: "hang on" });
    expect(w.sessionKey).toBe("agent:work:main");
    // the work run hangs after its text: it is in the merged list until aborted
    for (let i = 0; i < 200 && providers.work.requests.length === 0; i++) await Bun.sleep(5);
    expect(providers.work.requests.length).toBe(1);
    expect(router.runs().map((r) => r.runId)).toEqual([w.runId]);
    expect(router.abort({ sessionKey: "agent:work:main" })).toBe(true);
    expect((await w.done).outcome).toBe("aborted");
    expect(router.abort({ runId: "run_nope" })).toBe(false);
    expect(seen).toEqual(["agent:main:main:ok", "agent:work:main:aborted"]);
    off();
    await router.start({ text: "after off" }).then((h) => h.done);
    expect(seen.length).toBe(2);
  });

  test("setToolPolicy and shutdown apply to every agent; resetSession goes to the session's agent", async () => {
    const { router, runtimes, store } = makeRouter();
    router.setToolPolicy({ deny: ["read"] });
    for (const r of runtimes.values()) expect(r.toolSpecs().map((t) => t.name)).not.toContain("read");
    expect(router.toolSpecs()).toEqual(runtimes.get("main")!.toolSpecs());
    await router.resetSession("agent:work:main");
    expect((await store.readLatest("agent:work:main", 1))[0]?.data.type).toBe("session_reset");
    expect((await store.getSession("agent:work:main"))?.agentId).toBe("work");
    await router.shutdown(0);
    await expect(router.start({ agentId: "work", text: "late" })).rejects.toThrow("shutting down");
    await expect(router.start({ text: "late" })).rejects.toThrow("shutting down");
  });
});
