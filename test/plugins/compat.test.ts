// The OpenClaw shim, in-process: each entry shape loads, each OpenClaw hook maps onto ours with
// the documented event/result translation, tools/commands/services adapt, and an unsupported
// api member fails the load by name.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { HookName } from "../../src/agent/hooks.ts";
import { loadPlugin } from "../../src/plugins/load.ts";
import type { LoadedPlugin } from "../../src/plugins/loaded.ts";
import { PluginUnsupportedError } from "../../src/plugins/load-errors.ts";
import { callCtx, FIXTURES, loadContext, tool } from "./helpers.ts";

const usage = { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 };
const load = (id: string, over = {}) => loadPlugin(join(FIXTURES, id, id === "openclaw-cjs" ? "index.cjs" : "index.ts"), loadContext(id, over));
const hooks = (p: LoadedPlugin, name: HookName) => p.hooks.filter((h) => h.name === name);
const seen = async (p: LoadedPlugin) => ((await tool(p, "seen").execute({ clear: true }, callCtx("c0"))).content[0] as { text: string }).text;

describe("OpenClaw shim: { id, register(api) }", () => {
  test("before_tool_call → BeforeToolCall: rewrite params, block with or without a reason, approvals fail closed; priority kept", async () => {
    const p = await load("openclaw-object");
    const [first, second] = hooks(p, "BeforeToolCall");
    expect([first!.priority, second!.priority]).toEqual([10, 0]);
    const base = { sessionKey: "s", runId: "r", toolCallId: "c" };
    expect(await first!.handler({ ...base, name: "read", input: { path: "a" } })).toEqual({ input: { path: "a", audited: true } });
    expect(await first!.handler({ ...base, name: "exec", input: {} })).toEqual({ block: "no shell from openclaw-object" });
    expect(await first!.handler({ ...base, name: "write", input: {} })).toEqual({ block: "blocked by plugin openclaw-object" });
    expect(await second!.handler({ ...base, name: "deploy", input: {} })).toEqual({ block: expect.stringMatching(/asks for approval \(Deploy\?\).*not supported by this runtime, so the call is blocked/) });
    expect(await second!.handler({ ...base, name: "read", input: {} })).toBeUndefined();
  });

  test("message_sending → AgentResponse: rewrite, cancel with reason, cancel without", async () => {
    const p = await load("openclaw-object");
    const [h] = hooks(p, "AgentResponse");
    const base = { sessionKey: "s", runId: "r", outcome: "ok" as const };
    expect(await h!.handler({ ...base, text: "darn it" })).toEqual({ text: "d*rn it" });
    expect(await h!.handler({ ...base, text: "the secret is" })).toEqual({ block: "would leak a secret" });
    expect(await h!.handler({ ...base, text: "CANCEL" })).toEqual({ block: "cancelled by plugin openclaw-object" });
  });

  test("before_agent_start → BeforeMessage prepends context (system prompt ignored with a warning); message_received observes", async () => {
    const ctx = loadContext("openclaw-object");
    const p = await loadPlugin(join(FIXTURES, "openclaw-object", "index.ts"), ctx);
    const before = hooks(p, "BeforeMessage");
    expect(before).toHaveLength(2);
    const msg = { sessionKey: "s", agentId: "main", runId: "r", text: "hi there", channel: "telegram", peer: "42" };
    const results = await Promise.all(before.map((h) => h.handler(msg)));
    expect(results).toContainEqual({ text: "Context for: hi there\n\nhi there" });
    expect(results).toContainEqual(undefined);
    expect(ctx.lines.some((l) => l.level === "warn" && /systemPrompt from a prompt hook is not supported by this runtime/.test(l.message))).toBe(true);
    expect(await seen(p)).toContain("received:hi there:telegram");
  });

  test("observers: after_tool_call, message_sent, agent_end, session_start, session_end get OpenClaw's events", async () => {
    const p = await load("openclaw-object");
    await hooks(p, "AfterToolCall")[0]!.handler({ sessionKey: "s", runId: "r", toolCallId: "c", name: "read", input: {}, result: { content: [{ type: "text", text: "no such file" }], isError: true }, durationMs: 3 });
    const after = { sessionKey: "s", agentId: "main", runId: "r", userText: "q", text: "a", outcome: "ok" as const, usage, durationMs: 5 };
    for (const h of hooks(p, "AfterMessage")) await h.handler(after);
    await hooks(p, "SessionStart")[0]!.handler({ sessionKey: "agent:main:x", agentId: "main", runId: "r" });
    await hooks(p, "SessionEnd")[0]!.handler({ sessionKey: "agent:main:x", agentId: "main", reason: "reset" });
    expect(await seen(p)).toBe("c0: after:read:no such file:no such file | sent:a:true | end:true:2 | start:agent:main:x | session_end:agent:main:x:reset");
  });

  test("registerCommand gets OpenClaw's context; registerService starts and stops; logger and resolvePath work", async () => {
    const ctx = loadContext("openclaw-object", { pluginConfig: { mode: "strict" } });
    const p = await loadPlugin(join(FIXTURES, "openclaw-object", "index.ts"), ctx);
    expect(await p.commands[0]!.execute("me please", { channel: "telegram", sessionKey: "s", peer: "1234" })).toEqual({ text: "1234 on telegram: /whoami me please (args me please, mode strict)" });
    await p.services[0]!.start();
    await p.services[0]!.stop();
    expect(await seen(p)).toBe("c0: service:start:true | service:stop");
    expect(ctx.lines).toContainEqual({ level: "info", message: "registered openclaw-object" });
  });
});

describe("OpenClaw shim: other entry shapes", () => {
  test("export default function register(api): a tool factory, TypeBox-style symbols dropped, images mapped, throws become errors", async () => {
    const p = await load("openclaw-function");
    const pixel = tool(p, "pixel");
    expect(pixel.description).toBe("Returns a pixel (workspace set)");
    expect(JSON.stringify(pixel.inputSchema)).toBe('{"type":"object","properties":{"color":{"type":"string"}},"required":["color"]}');
    expect(Object.getOwnPropertySymbols(pixel.inputSchema)).toHaveLength(0);
    expect(await pixel.execute({ color: "red" }, callCtx())).toEqual({
      content: [{ type: "text", text: "a red pixel" }, { type: "image", data: "iVBORw0KGgo=", mediaType: "image/png" }],
      isError: false,
    });
    expect(await tool(p, "explode").execute({}, callCtx())).toEqual({ content: [{ type: "text", text: "explode failed: kaboom" }], isError: true });
  });

  test("definePluginEntry from openclaw/plugin-sdk/plugin-entry, helpers from openclaw/plugin-sdk/core", async () => {
    const p = await load("openclaw-entry");
    expect(await tool(p, "shout").execute({ text: " hey " }, callCtx())).toEqual({ content: [{ type: "text", text: '{\n  "shouted": "HEY"\n}' }], isError: false });
    expect(await tool(p, "shout").execute({}, callCtx())).toEqual({ content: [{ type: "text", text: "shout failed: text required" }], isError: true });
    expect(await hooks(p, "AgentResponse")[0]!.handler({ sessionKey: "s", runId: "r", text: "done", outcome: "ok" })).toEqual({ text: "done!" });
  });

  test("CommonJS exports.default with __esModule; a leading slash on a command name is dropped", async () => {
    const p = await load("openclaw-cjs");
    expect(p.commands.map((c) => c.name)).toEqual(["cjs"]);
    expect(await p.commands[0]!.execute("", { channel: "gateway", sessionKey: "s" })).toEqual({ text: "cjs says hi" });
  });

  test("an unsupported api member fails the load by name, even when the plugin swallowed the throw", async () => {
    const err = await load("openclaw-unsupported").then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PluginUnsupportedError);
    expect((err as Error).message).toBe("plugin openclaw-unsupported: not supported by this runtime: api.registerHttpRoute");
  });
});

describe("OpenClaw shim: refusals name what is missing", () => {
  const { mkdtempSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
  const dir = mkdtempSync(join(require("node:os").tmpdir(), "compat-refuse-"));
  const run = (name: string, body: string) => {
    const f = join(dir, name);
    writeFileSync(f, body);
    return loadPlugin(f, loadContext("refuse")).then(() => null, (e: unknown) => e as Error);
  };

  test("a hook name with no mapping", async () => {
    const err = await run("hook.ts", `export default { id: "refuse", register(api: any) { api.on("before_compaction", () => {}); } };`);
    expect(err).toBeInstanceOf(PluginUnsupportedError);
    expect(err!.message).toBe(`plugin refuse: not supported by this runtime: api.on("before_compaction")`);
  });

  test("an api.runtime member beyond the basics; a feature test that only reads it loads fine", async () => {
    const err = await run("runtime.ts", `export default function (api: any) { api.runtime.tts.speak("hi"); }`);
    expect(err).toBeInstanceOf(PluginUnsupportedError);
    expect(err!.message).toStartWith("plugin refuse: not supported by this runtime: api.runtime.tts (register(api) then threw: ");
    const ok = await run("probe.ts", `export default function (api: any) { if (api.runtime?.events?.onAgentEvent) throw new Error("wrong"); api.logger.info(api.runtime.version + " " + api.runtime.state.resolveStateDir()); }`);
    expect(ok).toBeNull();
  });

  test("an SDK subpath this runtime does not provide", async () => {
    const err = await run("subpath.ts", `import { x } from "openclaw/plugin-sdk/channel-setup"; export default { id: "refuse", register() { return x; } };`);
    expect(err!.message).toMatch(/Cannot find (package|module) 'openclaw.*must name one of the SDK modules this runtime provides: openclaw-bun\/plugin-sdk, openclaw\/plugin-sdk, openclaw\/plugin-sdk\/plugin-entry, openclaw\/plugin-sdk\/core, openclaw\/plugin-sdk\/types/);
  });

  test("register(api) throwing is a load error with its message", async () => {
    const err = await run("throws.ts", `export default { id: "refuse", register() { throw new Error("needs an API key"); } };`);
    expect(err!.message).toBe("plugin refuse: register(api) threw: needs an API key");
  });
});

describe("OpenClaw shim: observers are not awaited", () => {
  test("message_received and after_tool_call answer before a slow handler finishes; a rejection is logged", async () => {
    const { mkdtempSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
    const f = join(mkdtempSync(join(require("node:os").tmpdir(), "compat-observe-")), "index.ts");
    writeFileSync(f, `
      export const state = { finished: false, release: () => {} };
      export default function (api: any) {
        api.on("message_received", () => new Promise<void>((r) => { state.release = () => { state.finished = true; r(); }; }));
        api.on("after_tool_call", async () => { throw new Error("observer broke"); });
      }`);
    const ctx = loadContext("observe");
    const p = await loadPlugin(f, ctx);
    const mod = (await import(f)) as { state: { finished: boolean; release: () => void } };
    expect(await p.hooks.find((h) => h.name === "BeforeMessage")!.handler({ sessionKey: "s", agentId: "main", runId: "r", text: "hi" })).toBeUndefined();
    expect(mod.state.finished).toBe(false); // answered while the handler is still pending
    mod.state.release();
    expect(mod.state.finished).toBe(true);
    await p.hooks.find((h) => h.name === "AfterToolCall")!.handler({ sessionKey: "s", runId: "r", toolCallId: "c", name: "read", input: {}, result: { content: [], isError: false }, durationMs: 1 });
    await Promise.resolve();
    await Promise.resolve();
    expect(ctx.lines).toContainEqual({ level: "warn", message: "plugin observe: after_tool_call handler failed: observer broke" });
  });
});
