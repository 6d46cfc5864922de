// loadPlugin on plugins written with our SDK (definePlugin), in-process: every part of the
// definition reaches the LoadedPlugin and behaves as the SDK documents.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPlugin } from "../../src/plugins/load.ts";
import { PluginLoadError } from "../../src/plugins/load-errors.ts";
import { callCtx, FIXTURES, hook, loadContext, tool } from "./helpers.ts";

const entry = join(FIXTURES, "sdk-example", "index.ts");

describe("loadPlugin: definePlugin", () => {
  test("hooks map to the host's names with their priorities, and rewrite or block", async () => {
    const p = await loadPlugin(entry, loadContext("sdk-example"));
    expect(p.id).toBe("sdk-example");
    expect(p.hooks.map((h) => [h.name, h.priority]).sort()).toEqual([["AgentResponse", 7], ["BeforeToolCall", 0], ["SessionStart", 0]]);
    const before = hook(p, "BeforeToolCall");
    const base = { sessionKey: "s", runId: "r", toolCallId: "c" };
    expect(await before.handler({ ...base, name: "exec", input: { command: "rm -rf /" } })).toEqual({ block: "sdk-example: no shell" });
    expect(await before.handler({ ...base, name: "read", input: { path: "a" } })).toEqual({ input: { path: "a", checked: true } });
    expect(await hook(p, "AgentResponse").handler({ sessionKey: "s", runId: "r", text: "hi", outcome: "ok" })).toEqual({ text: "hi [reviewed]" });
  });

  test("a factory gets the load context: config and logger", async () => {
    const ctx = loadContext("sdk-example", { pluginConfig: { greeting: "ahoy" } });
    const p = await loadPlugin(entry, ctx);
    const r = await tool(p, "greet").execute({ name: "Ada" }, callCtx("call_9"));
    expect(r).toEqual({ content: [{ type: "text", text: "ahoy, Ada (call_9)" }], isError: false });
    await hook(p, "SessionStart").handler({ sessionKey: "s", agentId: "main", runId: "r" });
    expect(ctx.lines).toContainEqual({ level: "info", message: "session started" });
  });

  test("tools: JSON Schema from zod, invalid input and throws are error results the model reads", async () => {
    const p = await loadPlugin(entry, loadContext("sdk-example"));
    const greet = tool(p, "greet");
    expect(greet.inputSchema).toMatchObject({ type: "object", properties: { name: { type: "string", minLength: 1 } }, required: ["name"] });
    const bad = await greet.execute({ name: 3 }, callCtx());
    expect(bad.isError).toBe(true);
    expect(bad.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("invalid input for greet: name:") });
    expect(await tool(p, "fail").execute({}, callCtx())).toEqual({ content: [{ type: "text", text: "fail failed: boom" }], isError: true });
    expect(tool(p, "fail").inputSchema).toEqual({ type: "object", properties: {} });
  });

  test("commands and services", async () => {
    const ctx = loadContext("sdk-example");
    const p = await loadPlugin(entry, ctx);
    expect(p.commands.map((c) => [c.name, c.description])).toEqual([["ping", "Answers pong"]]);
    expect(await p.commands[0]!.execute("now", { channel: "telegram", sessionKey: "s" })).toEqual({ text: "pong now" });
    expect(p.services.map((s) => s.id)).toEqual(["counter"]);
    await p.services[0]!.start();
    await p.services[0]!.stop();
    expect(ctx.lines).toContainEqual({ level: "info", message: "stopped", fields: { started: 1 } });
  });
});

describe("loadPlugin: mistakes are load errors that name the fix", () => {
  const dir = mkdtempSync(join(tmpdir(), "load-bad-"));
  const write = (name: string, body: string) => {
    const f = join(dir, name);
    writeFileSync(f, body);
    return f;
  };
  const cases: [string, string, RegExp][] = [
    ["unknown-hook.ts", `import { definePlugin } from "openclaw-bun/plugin-sdk"; export default definePlugin({ id: "bad", hooks: { beforeToolcall() {} } } as never);`, /unknown hook beforeToolcall; the hooks are beforeMessage/],
    ["id.ts", `import { definePlugin } from "openclaw-bun/plugin-sdk"; export default definePlugin({ id: "other" });`, /does not match the manifest id "bad"/],
    ["dup.ts", `import { definePlugin } from "openclaw-bun/plugin-sdk"; const t = { name: "x", description: "", execute: () => "" }; export default definePlugin({ id: "bad", tools: [t, t] });`, /two tools are named "x"/],
    ["toolname.ts", `import { definePlugin } from "openclaw-bun/plugin-sdk"; export default definePlugin({ id: "bad", tools: [{ name: "a b", description: "", execute: () => "" }] });`, /tools\.0\.name: must be 1-64 letters/],
    ["tool-typo.ts", `import { definePlugin } from "openclaw-bun/plugin-sdk"; export default definePlugin({ id: "bad", tools: [{ name: "t", description: "", inputschema: {}, execute: () => "" } as never] });`, /tools\.0: Unrecognized key: "inputschema"/],
    ["tool-both.ts", `import { definePlugin, z } from "openclaw-bun/plugin-sdk"; export default definePlugin({ id: "bad", tools: [{ name: "t", description: "", input: z.object({}), inputSchema: { type: "object" }, execute: () => "" }] });`, /tools\.0: give input \(zod\) or inputSchema \(JSON Schema\), not both/],
    ["nothing.ts", `export const x = 1;`, /exports no plugin; export default definePlugin/],
    ["throws.ts", `throw new Error("kaput at load");`, /importing .*throws\.ts failed: kaput at load/],
    ["factory.ts", `import { definePlugin } from "openclaw-bun/plugin-sdk"; export default definePlugin(() => { throw new Error("no config"); });`, /factory threw: no config/],
    ["missing-sdk.ts", `import { x } from "openclaw-bun/plugin-sdk/nope"; export default x;`, /Cannot find package 'openclaw-bun'.*must name one of the SDK modules this runtime provides: openclaw-bun\/plugin-sdk/],
  ];
  for (const [file, body, message] of cases) {
    test(file, async () => {
      const err = await loadPlugin(write(file, body), loadContext("bad")).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(PluginLoadError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toStartWith("plugin bad: ");
    });
  }
});
