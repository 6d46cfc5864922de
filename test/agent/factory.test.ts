import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRuntime } from "../../src/agent/build-runtime.ts";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { defaultTools } from "../../src/tools/registry.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { say, ScriptedProvider } from "../fakes/scripted-provider.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "agent-factory-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("buildRuntime", () => {
  test("tools after allow/deny, limits and workspace from config; a tool writes through the configured executor", async () => {
    const ws = tmp();
    const config = ConfigSchema.parse({
      agents: { defaults: { workspace: ws, sandbox: { level: "off" }, limits: { maxSteps: 2 }, model: "anthropic/claude-x" } },
      tools: { deny: ["exec", "web_*"] },
    });
    const provider = new ScriptedProvider([
      say.tool("write", { path: "notes/a.txt", content: "from the model" }),
      say.tool("exec", { command: "echo hi" }),
      say.text("never reached"),
    ]);
    const runtime = buildRuntime(config, new MemoryStore(), { provider });
    const names = runtime.toolSpecs().map((t) => t.name);
    expect(names).toContain("write");
    expect(names).toContain("read");
    expect(names).not.toContain("exec");
    expect(names).not.toContain("web_fetch");
    const outputs: string[] = [];
    runtime.onEvent((e) => e.type === "tool_result" && outputs.push(e.output));
    const res = await runtime.processMessage("f", "write a note");
    expect(readFileSync(join(ws, "notes/a.txt"), "utf8")).toBe("from the model");
    expect(outputs[1]).toContain('unknown tool "exec"');
    expect(res.outcome).toBe("limit"); // maxSteps 2 from config
    expect(provider.requests[0]!.tools.map((t) => t.name)).toEqual(names);
  });

  test("setToolPolicy changes the tool set at runtime: the next run neither sees nor can call a denied tool", async () => {
    const ws = tmp();
    const config = ConfigSchema.parse({ agents: { defaults: { workspace: ws, sandbox: { level: "off" } } }, tools: { deny: ["exec"] } });
    const provider = new ScriptedProvider([say.text("first"), say.tool("write", { path: "b.txt", content: "x" }), say.text("second")]);
    const runtime = buildRuntime(config, new MemoryStore(), { provider });
    expect(runtime.toolSpecs().map((t) => t.name)).toContain("write");
    expect(runtime.toolSpecs().map((t) => t.name)).not.toContain("exec");
    await runtime.processMessage("p", "one");
    expect(provider.requests[0]!.tools.map((t) => t.name)).toContain("write");

    runtime.setToolPolicy({ deny: ["group:fs"] });
    const names = runtime.toolSpecs().map((t) => t.name);
    expect(names).not.toContain("write");
    expect(names).not.toContain("read");
    expect(names).toContain("exec"); // the old deny is replaced, not merged
    const outputs: string[] = [];
    runtime.onEvent((e) => e.type === "tool_result" && outputs.push(e.output));
    await runtime.processMessage("p", "two");
    expect(provider.requests[1]!.tools.map((t) => t.name)).toEqual(names);
    expect(outputs[0]).toContain('unknown tool "write"');
    expect(existsSync(join(ws, "b.txt"))).toBe(false);

    runtime.setToolPolicy({ allow: ["read"] });
    expect(runtime.toolSpecs().map((t) => t.name)).toEqual(["read"]);
    runtime.setToolPolicy({});
    expect(runtime.toolSpecs().length).toBe(defaultTools().length);
  });

  test("withSandbox(config) builds the executor on first use, rooted at the workspace", async () => {
    const ws = tmp();
    const write = defaultTools().find((t) => t.name === "write")!;
    const runtime = new AgentRuntime(new ScriptedProvider([say.tool("write", { path: "x.txt", content: "ok" }), say.text("done")]), { workspace: ws })
      .withTools([write])
      .withSandbox({ level: "off" });
    const res = await runtime.processMessage("s", "go");
    expect(res.text).toBe("done");
    expect(existsSync(join(ws, "x.txt"))).toBe(true);
  });
});
