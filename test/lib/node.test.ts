// The library under plain Node 20: bundle src/lib.ts with `bun build --target node`, then run a turn
// (with a tool call) from a real `node` process against the fake Messages API on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";

const ROOT = resolve(import.meta.dir, "../..");
let fake: FakeAnthropic;
let dir: string;

function sh(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const SCRIPT = `
import { AgentRuntime, AnthropicProvider, ApiKey, MemoryStore, defineTool, configureLogging, z } from "./lib.js";
configureLogging({ level: "error" });
if (typeof globalThis.Bun !== "undefined") throw new Error("not plain node");
const add = defineTool({
  name: "add",
  description: "Add two numbers",
  schema: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => String(a + b),
});
const provider = new AnthropicProvider({ apiKey: new ApiKey("sk-ant-node-0123456789abcdef"), baseURL: process.env.FAKE_URL, maxRetries: 0 });
const runtime = new AgentRuntime(provider, { model: "claude-node" }).withStore(new MemoryStore()).withTools([add]);
const types = [];
runtime.onEvent((e) => types.push(e.type));
const res = await runtime.processMessage("node:s", "what is 2+3?");
const stored = (await runtime.store.readRange("node:s", 1)).map((e) => e.type);
console.log(JSON.stringify({ node: process.version, res, types, stored, specs: runtime.toolSpecs().map((s) => s.name) }));
`;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  dir = mkdtempSync(join(tmpdir(), "agent-node-"));
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the library from Node", () => {
  test("a bundled turn with a tool call runs under node", async () => {
    const build = await sh(join(ROOT, "node_modules/.bin/bun"), ["build", join(ROOT, "src/lib.ts"), "--target", "node", "--outfile", join(dir, "lib.js")]);
    expect(build.code).toBe(0);
    writeFileSync(join(dir, "run.mjs"), SCRIPT);
    fake.enqueue(reply.toolUse("add", { a: 2, b: 3 }), reply.text("2+3 = 5"));
    const r = await sh("node", [join(dir, "run.mjs")], { FAKE_URL: fake.url });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.node.startsWith("v")).toBe(true);
    expect(out.res).toMatchObject({ outcome: "ok", text: "2+3 = 5", sessionKey: "node:s" });
    expect(out.types).toEqual(["run_started", "tool_call", "tool_result", "text_delta", "final"]);
    expect(out.stored).toEqual(["user_message", "run_started", "assistant_message", "tool_result", "assistant_message", "run_finished"]);
    expect(out.specs).toEqual(["add"]);
    const toolResult = fake.bodies()[1].messages[2].content[0];
    expect(toolResult).toMatchObject({ type: "tool_result", content: [{ type: "text", text: "5" }] });
  }, 60_000);
});
