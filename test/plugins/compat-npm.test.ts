// Two real OpenClaw plugins from npm, installed here the way `openclaw plugins install` does it
// (npm, no install scripts), loaded unchanged through loadPlugin and exercised against fakes:
//   @ollama/openclaw-web-search — registers two tools that call a local Ollama server;
//   @projectavatar/openclaw-avatar — five lifecycle hooks, a prompt hook and two tools that push
//     avatar state to a relay server (its `relayUrl` config points at our fake).
// Versions are pinned; the registry is reachable in CI. A fake that is never called fails loudly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPlugin } from "../../src/plugins/load.ts";
import type { LoadedPlugin } from "../../src/plugins/loaded.ts";
import type { ToolContext } from "../../src/tools/types.ts";
import { toolContext } from "../tools/helpers.ts";
import { callCtx, loadContext, startHost, tool } from "./helpers.ts";

const PACKAGES = { ollama: "@ollama/openclaw-web-search@0.2.2", avatar: "@projectavatar/openclaw-avatar@2.2.0" };
const root = mkdtempSync(join(tmpdir(), "npm-plugins-"));

beforeAll(() => {
  const r = Bun.spawnSync(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save", ...Object.values(PACKAGES)], { cwd: root, stdout: "pipe", stderr: "pipe", timeout: 180_000 });
  if (r.exitCode !== 0) throw new Error(`npm install ${Object.values(PACKAGES).join(" ")} failed (exit ${r.exitCode}): ${r.stderr.toString().slice(-2000)}`);
}, 200_000);

/** What discovery would read: the manifest id and package.json's openclaw.extensions entry. */
function installed(spec: string): { id: string; dir: string; entry: string } {
  const name = spec.slice(0, spec.lastIndexOf("@"));
  const dir = join(root, "node_modules", name);
  const manifest = JSON.parse(readFileSync(join(dir, "openclaw.plugin.json"), "utf8")) as { id: string };
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { openclaw: { extensions: string[] } };
  return { id: manifest.id, dir, entry: join(dir, pkg.openclaw.extensions[0]!) };
}

type Req = { json: unknown; path: string };

/**
 * A fake HTTP server on 127.0.0.1. `next(what, match)` resolves with the first request (queued or
 * coming) that matches, skipping others (the avatar also pushes idle states on its own timers);
 * it rejects — failing the test — if none comes within 10 s.
 */
function fakeServer(port: number, answer: (path: string, json: unknown) => unknown) {
  const queue: Req[] = [];
  let waiter: { match: (r: Req) => boolean; resolve: (r: Req) => void } | null = null;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    async fetch(req) {
      const r = { path: new URL(req.url).pathname, json: await req.json().catch(() => null) };
      if (waiter?.match(r)) waiter.resolve(r);
      else queue.push(r);
      return Response.json(answer(r.path, r.json));
    },
  });
  const next = (what: string, match: (r: Req) => boolean = () => true) => {
    const i = queue.findIndex(match);
    if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]!);
    return new Promise<Req>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: the fake server got no matching request within 10 s`)), 10_000);
      waiter = { match, resolve: (r) => { clearTimeout(timer); waiter = null; resolve(r); } };
    });
  };
  return { server, next };
}

describe(PACKAGES.ollama, () => {
  // the plugin hard-codes http://127.0.0.1:11434 (Ollama's default port)
  let fake: ReturnType<typeof fakeServer>;
  beforeAll(() => {
    try {
      fake = fakeServer(11434, (path, json) => (path.endsWith("/web_search") ? { results: [{ title: "Bun", url: "https://bun.sh", content: `about ${(json as { query: string }).query}` }] } : { title: "Page", content: "body", links: [] }));
    } catch (err) {
      throw new Error(`the fake Ollama needs 127.0.0.1:11434, which is taken: ${String(err)}`);
    }
  });
  afterAll(() => fake?.server.stop(true));

  test("loads unchanged; its tools keep their JSON Schema and call Ollama", async () => {
    const { id, dir, entry } = installed(PACKAGES.ollama);
    const p: LoadedPlugin = await loadPlugin(entry, loadContext(id, { dir }));
    expect(p.tools.map((t) => t.name)).toEqual(["ollama_web_search", "ollama_web_fetch"]);
    expect(tool(p, "ollama_web_search").inputSchema).toEqual({ type: "object", properties: { query: { type: "string", description: "The search query" } }, required: ["query"] });
    const result = tool(p, "ollama_web_search").execute({ query: "bun runtime" }, callCtx());
    const req = await fake.next("ollama_web_search");
    expect(req).toEqual({ path: "/api/experimental/web_search", json: { query: "bun runtime", max_results: 5 } });
    expect(await result).toEqual({ content: [{ type: "text", text: "1. Bun\n   https://bun.sh\n   about bun runtime" }], isError: false });
    expect(await tool(p, "ollama_web_fetch").execute({ url: " " }, callCtx())).toEqual({ content: [{ type: "text", text: "ollama_web_fetch failed: url parameter is required" }], isError: true });
  });
  test("unchanged through the real host: the model-facing tool runs in the plugin's sandboxed process", async () => {
    const { dir } = installed(PACKAGES.ollama);
    const h = await startHost([], { extra: [dir] });
    try {
      const search = h.target.tools.get("ollama_web_search")!;
      const result = search.run({ query: "sandbox" }, toolContext() as ToolContext);
      expect((await fake.next("ollama_web_search from the plugin process")).json).toEqual({ query: "sandbox", max_results: 5 });
      expect(await result).toEqual({ content: [{ type: "text", text: "1. Bun\n   https://bun.sh\n   about sandbox" }], isError: false });
    } finally {
      await h.host.stop();
    }
  });
});

describe(PACKAGES.avatar, () => {
  let relay: ReturnType<typeof fakeServer>;
  const saved = process.env.AVATAR_TOKEN;
  beforeAll(() => {
    relay = fakeServer(0, () => ({ ok: true }));
    process.env.AVATAR_TOKEN = "avatar-test-token";
  });
  afterAll(() => {
    relay?.server.stop(true);
    if (saved === undefined) delete process.env.AVATAR_TOKEN;
    else process.env.AVATAR_TOKEN = saved;
  });

  test("loads unchanged; before_tool_call pushes to the relay, before_prompt_build prepends, its tools work", async () => {
    const { id, dir, entry } = installed(PACKAGES.avatar);
    const ctx = loadContext(id, { dir, pluginConfig: { relayUrl: `http://127.0.0.1:${relay.server.port}`, debounceMs: 50 } });
    const p = await loadPlugin(entry, ctx);
    expect(p.hooks.map((h) => h.name).sort()).toEqual(["AfterMessage", "AfterToolCall", "BeforeMessage", "BeforeMessage", "BeforeToolCall", "SessionEnd"]);
    expect(p.tools.map((t) => t.name).sort()).toEqual(["avatar_commands", "avatar_signal"]);

    const before = p.hooks.find((h) => h.name === "BeforeToolCall")!;
    expect(await before.handler({ sessionKey: "agent:main:main", runId: "r", toolCallId: "c", name: "exec", input: { command: "ls" } })).toBeUndefined();
    const push = await relay.next("before_tool_call → relay push", (r) => (r.json as { action?: string }).action === "typing");
    expect(push.path).toBe("/push/avatar-test-token");
    expect(push.json).toMatchObject({ action: "typing", prop: "keyboard", emotions: { interest: "high" }, sessionId: "agent:main:main" });

    const prompt = await Promise.all(p.hooks.filter((h) => h.name === "BeforeMessage").map((h) => h.handler({ sessionKey: "s", agentId: "main", runId: "r", text: "hello" })));
    expect(prompt).toContainEqual({ text: expect.stringMatching(/^Call avatar_signal before each reply\..*\n\nhello$/) });

    const signal = await tool(p, "avatar_signal").execute({ emotions: { joy: "high" }, action: "celebrating" }, callCtx());
    expect(signal.isError).toBe(false);
    expect((await relay.next("avatar_signal → relay push", (r) => (r.json as { action?: string }).action === "celebrating")).json).toMatchObject({ action: "celebrating", emotions: { joy: "high" } });
    const schema = tool(p, "avatar_signal").inputSchema as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(["emotions", "action", "color", "prop", "intensity"]);
  });

  test("unchanged through the real host: its own sandboxed process, hooks dispatched over JSON-RPC", async () => {
    const { id, dir } = installed(PACKAGES.avatar);
    const h = await startHost([], { extra: [dir], config: { plugins: { entries: { [id]: { config: { relayUrl: `http://127.0.0.1:${relay.server.port}`, debounceMs: 50 } } } } } });
    try {
      expect(h.host.list()[0]).toMatchObject({ id, state: "running", tools: ["avatar_signal", "avatar_commands"] });
      const d = h.target.hooks;
      expect(await d.decide("BeforeToolCall", { sessionKey: "agent:main:tg", runId: "r", toolCallId: "c", name: "browser", input: {} })).toMatchObject({ blocked: false });
      const push = await relay.next("before_tool_call in the plugin process → relay push", (r) => (r.json as { action?: string }).action === "searching");
      expect(push.path).toBe("/push/"); // the plugin process gets no AVATAR_TOKEN: an explicit environment
      expect(push.json).toMatchObject({ prop: "magnifying_glass", sessionId: "agent:main:tg" });
    } finally {
      await h.host.stop();
    }
  });
});
