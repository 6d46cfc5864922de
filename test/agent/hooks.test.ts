import { describe, expect, test } from "bun:test";
import { HookDispatcher } from "../../src/agent/hooks.ts";
import { registerSecret } from "../../src/core/secrets.ts";
import { say } from "../fakes/scripted-provider.ts";
import { allEvents, echoTool, makeRuntime } from "./helpers.ts";

describe("HookDispatcher", () => {
  test("decision hooks run by priority then registration order, each seeing the previous rewrite", async () => {
    const d = new HookDispatcher();
    const seen: string[] = [];
    d.register("BeforeMessage", (p) => { seen.push(`low:${p.text}`); return { text: `${p.text}+low` }; }, { priority: -1 });
    d.register("BeforeMessage", (p) => { seen.push(`a:${p.text}`); return { text: `${p.text}+a` }; });
    d.register("BeforeMessage", (p) => { seen.push(`b:${p.text}`); return { text: `${p.text}+b` }; });
    d.register("BeforeMessage", (p) => { seen.push(`high:${p.text}`); return { text: `${p.text}+high` }; }, { priority: 10 });
    const r = await d.decide("BeforeMessage", { sessionKey: "s", agentId: "main", runId: "r", text: "x" });
    expect(seen).toEqual(["high:x", "a:x+high", "b:x+high+a", "low:x+high+a+b"]);
    expect(r).toMatchObject({ blocked: false, payload: { text: "x+high+a+b+low" } });
  });

  test("a block is final: later handlers do not run", async () => {
    const d = new HookDispatcher();
    let later = false;
    d.register("AgentResponse", () => ({ block: "nope" }), { source: "guard" });
    d.register("AgentResponse", () => { later = true; });
    expect(await d.decide("AgentResponse", { sessionKey: "s", runId: "r", text: "t", outcome: "ok" })).toEqual({ blocked: true, reason: "nope", source: "guard" });
    expect(later).toBe(false);
  });

  test("throwing or hanging decision hooks: fail-open by default, fail-closed for BeforeToolCall", async () => {
    const d = new HookDispatcher();
    d.register("BeforeMessage", () => { throw new Error("boom"); });
    d.register("BeforeMessage", () => new Promise(() => {}), { timeoutMs: 10 });
    d.register("BeforeMessage", (p) => ({ text: p.text.toUpperCase() }));
    expect(await d.decide("BeforeMessage", { sessionKey: "s", agentId: "main", runId: "r", text: "ok" })).toMatchObject({ blocked: false, payload: { text: "OK" } });
    d.register("BeforeToolCall", () => new Promise(() => {}), { timeoutMs: 10, source: "slowplugin" });
    const r = await d.decide("BeforeToolCall", { sessionKey: "s", runId: "r", toolCallId: "t", name: "exec", input: {} });
    expect(r.blocked).toBe(true);
    if (r.blocked) expect(r.reason).toContain("timed out");
  });

  test("observers run in parallel, are not awaited, and their failures are contained", async () => {
    const d = new HookDispatcher();
    const got: string[] = [];
    d.register("Error", () => { throw new Error("observer broke"); });
    d.register("Error", async (p) => { await new Promise((r) => setTimeout(r, 5)); got.push(p.error.message); });
    d.observe("Error", { sessionKey: "s", phase: "internal", error: { type: "X", message: "m" } });
    expect(got).toEqual([]);
    await d.drain();
    expect(got).toEqual(["m"]);
  });

  test("unregister removes the handler; has() reflects it", () => {
    const d = new HookDispatcher();
    expect(d.has("AfterMessage")).toBe(false);
    const off = d.register("AfterMessage", () => {});
    expect(d.has("AfterMessage")).toBe(true);
    off();
    expect(d.has("AfterMessage")).toBe(false);
  });
});

describe("hooks in a run", () => {
  test("BeforeMessage rewrites the stored and sent text; SessionStart fires once for the first message", async () => {
    const { runtime, provider, store } = makeRuntime([say.text("a"), say.text("b")]);
    const starts: string[] = [];
    runtime.withHooks({ BeforeMessage: (p) => ({ text: `[${p.text}]` }), SessionStart: (p) => { starts.push(p.sessionKey); } });
    await runtime.processMessage("h", "hi");
    await runtime.processMessage("h", "again");
    await runtime.hooks.drain();
    expect(starts).toEqual(["h"]);
    expect((provider.requests[0]!.messages[0]!.content[0] as { text: string }).text).toBe("[hi]");
    const first = (await allEvents(store, "h"))[0]!.data;
    expect(first).toMatchObject({ type: "user_message", message: { content: [{ type: "text", text: "[hi]" }] } });
  });

  test("BeforeMessage block: nothing stored, no model call, final aborted with the reason", async () => {
    const { runtime, provider, store } = makeRuntime([say.text("never")]);
    runtime.withHooks({ BeforeMessage: () => ({ block: "spam" }) }, { source: "antispam" });
    const res = await runtime.processMessage("blk", "buy now");
    expect(res.outcome).toBe("aborted");
    expect(res.reason).toContain("spam");
    expect(provider.calls).toBe(0);
    expect(await allEvents(store, "blk")).toEqual([]);
  });

  test("BeforeToolCall rewrites input or blocks with a reason the model reads; a throwing one blocks", async () => {
    const calls: unknown[] = [];
    const { runtime, provider } = makeRuntime([
      say.tools([{ name: "echo", input: { text: "rewrite me" } }, { name: "echo", input: { text: "block me" } }, { name: "echo", input: { text: "crash" } }]),
      say.text("done"),
    ]);
    runtime.withTools([echoTool(calls)]).withHooks({
      BeforeToolCall: (p) => {
        const text = (p.input as { text: string }).text;
        if (text === "block me") return { block: "not allowed here" };
        if (text === "crash") throw new Error("hook crashed");
        return { input: { text: "rewritten" } };
      },
    });
    await runtime.processMessage("tc", "go");
    expect(calls).toEqual([{ text: "rewritten" }]);
    const results = provider.requests[1]!.messages.at(-1)!.content.map((b) => (b.type === "tool_result" ? [b.isError, (b.content[0] as { text: string }).text] : []));
    expect(results[0]).toEqual([false, "echo: rewritten"]);
    expect(results[1]![0]).toBe(true);
    expect(results[1]![1]).toContain("not allowed here");
    expect(results[2]![0]).toBe(true);
    expect(results[2]![1]).toContain("hook crashed");
  });

  test("AfterToolCall may rewrite the result", async () => {
    const { runtime, provider } = makeRuntime([say.tool("echo", { text: "secret" }), say.text("ok")]);
    runtime.withTools([echoTool()]).withHooks({ AfterToolCall: (p) => ({ result: { ...p.result, content: [{ type: "text", text: "[redacted]" }] } }) });
    await runtime.processMessage("atc", "go");
    expect(provider.requests[1]!.messages.at(-1)!.content[0]).toMatchObject({ content: [{ type: "text", text: "[redacted]" }] });
  });

  test("results built outside the tool (an AfterToolCall rewrite, an unknown tool's error) are redacted before they are sent or stored", async () => {
    const secret = "sk-ant-hook-leak-" + "z".repeat(24);
    registerSecret(secret);
    // the unknown tool's name comes from the model; its error result quotes it back
    const { runtime, provider, store } = makeRuntime([say.tool("echo", { text: "hi" }), say.tool(`nope_${secret}`, {}), say.text("ok")]);
    runtime.withTools([echoTool()]).withHooks({ AfterToolCall: (p) => ({ result: { ...p.result, content: [{ type: "text", text: `leaked ${secret}` }] } }) });
    const emitted: unknown[] = [];
    runtime.onEvent((e) => e.type === "tool_result" && emitted.push(e.output));
    await runtime.processMessage("atc-redact", "go");
    const resultBlocks = (messages: { content: { type: string }[] }[]) => messages.flatMap((m) => m.content.filter((b) => b.type === "tool_result"));
    const sent = JSON.stringify(resultBlocks(provider.requests.at(-1)!.messages));
    const stored = JSON.stringify((await allEvents(store, "atc-redact")).filter((e) => e.type === "tool_result"));
    for (const text of [sent, stored, JSON.stringify(emitted)]) {
      expect(text).toContain("leaked sk-ant-");
      expect(text).toContain("unknown tool");
      expect(text).not.toContain(secret);
    }
  });

  test("AgentResponse rewrites the final text (stored too) or blocks it", async () => {
    const { runtime, store } = makeRuntime([say.text("hello world"), say.text("leak sk-ant-abcdefghijklmnop")]);
    runtime.withHooks({ AgentResponse: (p) => (p.text.includes("leak") ? { block: "contains a key" } : { text: p.text.toUpperCase() }) });
    const a = await runtime.processMessage("ar", "1");
    expect(a.text).toBe("HELLO WORLD");
    const b = await runtime.processMessage("ar", "2");
    expect(b).toMatchObject({ outcome: "aborted", text: "" });
    const assistants = (await allEvents(store, "ar")).filter((e) => e.type === "assistant_message").map((e) => JSON.stringify(e.data));
    expect(assistants[0]).toContain("HELLO WORLD");
    expect(assistants[1]).not.toContain("sk-ant-");
    expect(assistants[1]).toContain("reply withheld");
  });

  test("AfterMessage and Error observers see the run; a throwing observer does not change it", async () => {
    const { runtime } = makeRuntime([say.error("upstream exploded", { kind: "server_error" })]);
    const after: string[] = [];
    const errors: string[] = [];
    runtime.withHooks({
      AfterMessage: (p) => { after.push(p.outcome); throw new Error("observer bug"); },
      Error: (p) => { errors.push(p.error.message); },
    });
    const res = await runtime.processMessage("obs", "go");
    await runtime.hooks.drain();
    expect(res.outcome).toBe("error");
    expect(after).toEqual(["error"]);
    expect(errors).toEqual(["upstream exploded"]);
  });
});
