// The HTTP side through app.request(): probes, auth, origin, body limits, each RPC method over
// POST /rpc, prototype pollution, metrics.
import { afterAll, describe, expect, test } from "bun:test";
import { defaultTools } from "../../src/tools/registry.ts";
import { makeHarness, TOKEN, waitFor } from "./helpers.ts";

const h = makeHarness({ config: { gateway: { allowedOrigins: ["https://dash.example.com"], limits: { maxBodyBytes: 4096 } } } });
afterAll(() => h.close());

async function sendAndWait(text: string, sessionKey = "agent:main:http") {
  const r = await h.rpc("chat.send", { sessionKey, text });
  expect(r.result.sessionKey).toBe(sessionKey);
  const runs = () => h.runtime.runs().filter((x) => x.runId === r.result.runId);
  await waitFor(() => runs().length === 0, `run ${r.result.runId} to finish`);
  return r.result as { runId: string; sessionKey: string };
}

describe("probes", () => {
  test("healthz and readyz need no token", async () => {
    expect((await h.request("/healthz", { auth: null })).status).toBe(200);
    const r = await h.request("/readyz", { auth: null });
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body.ready).toBe(true);
    expect(body.store).toBe("ok");
    expect(body.sandbox).toHaveProperty("level");
  });
});

describe("auth", () => {
  const ip = "10.9.9.1";
  test("no token, wrong token, half token, token in the query: 401 without details", async () => {
    const half = TOKEN.slice(0, TOKEN.length / 2);
    for (const auth of [null, "wrong", half, TOKEN + "x"]) {
      const r = await h.request("/rpc", { method: "POST", body: "{}", auth, ip });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ error: "unauthorized" });
    }
    const q = await h.request(`/rpc?token=${TOKEN}&access_token=${TOKEN}`, { method: "POST", body: "{}", auth: null, ip: "10.9.9.2" });
    expect(q.status).toBe(401);
    const m = await h.request(`/metrics?token=${TOKEN}`, { auth: null, ip: "10.9.9.2" });
    expect(m.status).toBe(401);
  });
  test("failed auth is rate limited per address with Retry-After, even with the right token afterwards", async () => {
    const ip2 = "127.0.0.1";
    let limited: Response | null = null;
    for (let i = 0; i < 10 && !limited; i++) {
      const r = await h.request("/metrics", { auth: "nope", ip: ip2 });
      if (r.status === 429) limited = r;
      else expect(r.status).toBe(401);
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await h.request("/metrics", { ip: ip2 })).status).toBe(429);
    expect((await h.request("/metrics", { ip: "127.0.0.2" })).status).toBe(429); // all of loopback is one source
    expect((await h.request("/metrics", { ip: "10.7.7.7" })).status).toBe(200); // other addresses unaffected
    h.gw.limiter.success(ip2);
    expect((await h.request("/metrics", { ip: ip2 })).status).toBe(200);
  });
});

describe("guessing from rotating addresses", () => {
  async function guess(ips: (i: number) => string) {
    let now = 5_000_000;
    const g = makeHarness({ deps: { rateLimit: { now: () => now } } });
    try {
      let first429 = -1;
      for (let i = 0; i < 200; i++) {
        const r = await g.request("/metrics", { auth: `guess-${i}`, ip: ips(i) });
        if (r.status === 429 && first429 < 0) first429 = i;
        if (r.status !== 429) expect(r.status).toBe(401);
        now += 50;
      }
      // the right token is refused while blocked, and works once the window has passed
      expect((await g.request("/metrics", { ip: ips(200) })).status).toBe(429);
      now += 3_600_000;
      expect((await g.request("/metrics", { ip: ips(201) })).status).toBe(200);
      return first429;
    } finally {
      await g.close();
    }
  }
  test("200 guesses rotating through 127.0.0.0/8 get 429 after the free failures of one source", async () => {
    expect(await guess((i) => `127.${(i >> 8) & 255}.${i & 255}.${(i * 13) & 255}`)).toBe(6); // 5 free failures, the 6th blocks the source
  });
  test("requests that present no token at all spend no budget: a web page's <img src> cannot lock the owner out", async () => {
    const g = makeHarness();
    try {
      for (let i = 0; i < 100; i++) {
        expect((await g.request("/metrics", { auth: null, ip: `127.0.0.${(i % 250) + 1}` })).status).toBe(401);
        expect((await g.request("/metrics", { auth: null, ip: `203.0.113.${(i % 250) + 1}` })).status).toBe(401);
      }
      expect((await g.request("/metrics", { ip: "127.0.0.1" })).status).toBe(200);
      expect(g.gw.metrics.authFailures).toBe(200); // still counted as failures in the metrics
    } finally {
      await g.close();
    }
  });
  test("200 guesses rotating through 200 remote addresses hit the global budget", async () => {
    const first = await guess((i) => `198.51.${i >> 8}.${i & 255}`);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(50);
  });
});

describe("origin and limits", () => {
  test("a foreign Origin is refused before auth; the allow-list passes", async () => {
    const evil = await h.request("/rpc", { method: "POST", body: "{}", headers: { origin: "https://evil.example" }, auth: null, ip: "10.1.1.1" });
    expect(evil.status).toBe(403);
    expect(h.gw.limiter.retryAfterMs("10.1.1.1")).toBe(0);
    const ok = await h.request("/rpc", { method: "POST", body: '{"jsonrpc":"2.0","method":"status","id":1}', headers: { origin: "https://dash.example.com" } });
    expect(ok.status).toBe(200);
  });
  test("a body over the limit is 413, declared or streamed", async () => {
    const big = "x".repeat(5000);
    expect((await h.request("/rpc", { method: "POST", body: big })).status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("y".repeat(1000)));
        c.close();
      },
    });
    expect((await h.request("/rpc", { method: "POST", body: stream, duplex: "half" } as RequestInit)).status).toBe(413);
  });
  test("garbage gets JSON-RPC errors, not crashes", async () => {
    const post = async (body: string) => (await h.request("/rpc", { method: "POST", body })).json();
    expect((await post("not json")).error.code).toBe(-32700);
    expect((await post('{"jsonrpc":"2.0"}')).error.code).toBe(-32600);
    expect((await post("[" .repeat(1000) + "]".repeat(1000))).error.code).toBe(-32600);
    expect((await post('{"jsonrpc":"2.0","method":"nope","id":1}')).error.code).toBe(-32601);
    expect((await post('{"jsonrpc":"2.0","method":"chat.send","params":{"text":5},"id":1}')).error.code).toBe(-32602);
    expect((await post('{"jsonrpc":"2.0","method":"chat.send","params":[1,2],"id":1}')).error.code).toBe(-32602);
    expect((await h.request("/healthz")).status).toBe(200);
  });
  test("notifications over HTTP get 204", async () => {
    const r = await h.request("/rpc", { method: "POST", body: '{"jsonrpc":"2.0","method":"status"}' });
    expect(r.status).toBe(204);
  });
  test("__proto__ in params and config patches pollutes nothing", async () => {
    const r = await h.request("/rpc", {
      method: "POST",
      body: '{"jsonrpc":"2.0","method":"chat.send","params":{"text":"hi","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}},"id":1}',
    });
    expect((await r.json()).result.runId).toMatch(/^run_/);
    const p = await h.request("/rpc", {
      method: "POST",
      body: '{"jsonrpc":"2.0","method":"config.patch","params":{"patch":{"__proto__":{"polluted":3},"logging":{"__proto__":{"polluted":4}}}},"id":2}',
    });
    expect((await p.json()).result.changed).toEqual([]);
    expect(({} as any).polluted).toBeUndefined();
    expect((Object.prototype as any).polluted).toBeUndefined();
    expect(h.gw.config().logging.level).toBe("info");
  });
});

describe("methods over POST /rpc", () => {
  test("chat.send, chat.history (paged, readable), sessions.*", async () => {
    const key = "agent:main:paging";
    for (let i = 0; i < 3; i++) await sendAndWait(`hello ${i}`, key);
    const page1 = (await h.rpc("chat.history", { sessionKey: key, limit: 4 })).result;
    expect(page1.entries).toHaveLength(4);
    expect(page1.nextBefore).toBeGreaterThan(1);
    const all = [] as any[];
    let before: number | undefined;
    for (let i = 0; i < 20; i++) {
      const page = (await h.rpc("chat.history", { sessionKey: key, limit: 4, ...(before ? { before } : {}) })).result;
      all.unshift(...page.entries);
      before = page.nextBefore;
      if (!before) break;
    }
    const msgs = all.filter((e) => e.kind === "message").map((e) => `${e.role}:${e.text}`);
    expect(msgs).toEqual(["user:hello 0", "assistant:echo: hello 0", "user:hello 1", "assistant:echo: hello 1", "user:hello 2", "assistant:echo: hello 2"]);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.filter((e) => e.kind === "run_finished").every((e) => e.outcome === "ok")).toBe(true);

    const list = (await h.rpc("sessions.list", { limit: 100 })).result;
    expect(list.sessions.map((s: any) => s.key)).toContain(key);
    const got = (await h.rpc("sessions.get", { sessionKey: key })).result;
    expect(got.session.key).toBe(key);
    const exp = (await h.rpc("sessions.export", { sessionKey: key })).result;
    const lines = exp.jsonl.trim().split("\n").map((l: string) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(6);
    expect((await h.rpc("sessions.reset", { sessionKey: key })).result).toEqual({ ok: true });
    const afterReset = (await h.rpc("chat.history", { sessionKey: key, limit: 1 })).result;
    expect(afterReset.entries[0].kind).toBe("session_reset");
    expect((await h.rpc("sessions.delete", { sessionKey: key })).result).toEqual({ deleted: true });
    expect((await h.rpc("sessions.get", { sessionKey: key })).error.code).toBe(-32003);
    expect((await h.rpc("chat.history", { sessionKey: key })).error.code).toBe(-32003);
    for (const m of ["sessions.get", "sessions.export", "chat.history"]) {
      expect((await h.rpc(m, { sessionKey: key })).error.message).toBe(`no session ${key}; sessions.list shows the sessions there are`);
    }
    expect((await h.rpc("sessions.delete", { sessionKey: key })).result).toEqual({ deleted: false });
  });
  test("a repeated idempotencyKey returns the first run", async () => {
    const a = (await h.rpc("chat.send", { sessionKey: "agent:main:idem", text: "once", idempotencyKey: "k-1" })).result;
    const b = (await h.rpc("chat.send", { sessionKey: "agent:main:idem", text: "once", idempotencyKey: "k-1" })).result;
    expect(b.runId).toBe(a.runId);
    expect(b.deduplicated).toBe(true);
    await waitFor(() => h.runtime.runs().length === 0, "the idempotent run to finish");
    const hist = (await h.rpc("chat.history", { sessionKey: "agent:main:idem" })).result.entries;
    expect(hist.filter((e: any) => e.kind === "message" && e.role === "user")).toHaveLength(1);
  });
  test("subscriptions need a WebSocket", async () => {
    expect((await h.rpc("sessions.subscribe", { sessionKey: "x" })).error.code).toBe(-32600);
  });
  test("chat.abort with nothing running says so", async () => {
    expect((await h.rpc("chat.abort", { sessionKey: "agent:main:none" })).result).toEqual({ aborted: false });
    expect((await h.rpc("chat.abort", {})).error.code).toBe(-32602);
  });
  test("config.get redacts secrets; config.patch validates, applies what is safe, reports restarts", async () => {
    const secret = "sk-ant-" + "s".repeat(40);
    await h.gw.configSource.patch({ models: { providers: { anthropic: { apiKey: secret } } } });
    const got = (await h.rpc("config.get")).result.config;
    expect(JSON.stringify(got)).not.toContain(secret);
    expect(got.models.providers.anthropic.apiKey).toContain("…");

    const bad = await h.rpc("config.patch", { patch: { gateway: { port: "nope" } } });
    expect(bad.error.code).toBe(-32030);
    expect(h.gw.config().gateway.port).toBe(18789);

    const ok = (await h.rpc("config.patch", { patch: { logging: { level: "warn" }, gateway: { port: 19999, limits: { maxBatch: 7 } } } })).result;
    expect(ok.changed.sort()).toEqual(["gateway.limits.maxBatch", "gateway.port", "logging.level"]);
    expect(ok.applied.sort()).toEqual(["gateway.limits.maxBatch", "logging.level"]);
    expect(ok.restartRequired).toEqual(["gateway.port"]);
    const batch = JSON.stringify(Array.from({ length: 8 }, (_, i) => ({ jsonrpc: "2.0", method: "status", id: i })));
    const r = await (await h.request("/rpc", { method: "POST", body: batch })).json();
    expect(r.error.message).toContain("limit of 7");
    await h.rpc("config.patch", { patch: { logging: { level: "info" } } });
  });
  test("config.patch applies tools.allow / tools.deny live: no restart, tools.list and the next run follow", async () => {
    const t = makeHarness();
    try {
      t.runtime.withTools(defaultTools().filter((x) => x.name === "read" || x.name === "exec"));
      expect((await t.rpc("tools.list")).result.tools.map((x: any) => x.name).sort()).toEqual(["exec", "read"]);
      const r = (await t.rpc("config.patch", { patch: { tools: { deny: ["exec"] } } })).result;
      expect(r.changed).toEqual(["tools.deny"]);
      expect(r.applied).toContain("tools.deny");
      expect(r.restartRequired).toEqual([]);
      expect((await t.rpc("tools.list")).result.tools.map((x: any) => x.name)).toEqual(["read"]);
      const a = (await t.rpc("config.patch", { patch: { tools: { allow: ["exec"], deny: [] } } })).result;
      expect(a.restartRequired).toEqual([]);
      expect(a.applied.sort()).toEqual(["tools.allow", "tools.deny"]);
      expect((await t.rpc("tools.list")).result.tools.map((x: any) => x.name)).toEqual(["exec"]);
    } finally {
      await t.close();
    }
  });
  test("status, channels.status, tools.list, logs.tail", async () => {
    const s = (await h.rpc("status")).result;
    expect(s.version).toBe("test");
    expect(s.sessions).toBeGreaterThan(0);
    expect(s.sessions).toBe(await h.store.countSessions());
    await h.store.ensureSession({ key: "agent:main:status-count" });
    expect((await h.rpc("status")).result.sessions).toBe(s.sessions + 1);
    expect(s.rssBytes).toBeGreaterThan(0);
    expect(s).toHaveProperty("runsInFlight");
    expect(s.channels).toEqual([]);
    expect((await h.rpc("channels.status")).result).toEqual({ channels: [] });
    expect((await h.rpc("tools.list")).result).toEqual({ tools: [] });
    h.gw.log.info("a line for the tail");
    const t = (await h.rpc("logs.tail", { lines: 50 })).result;
    expect(t.following).toBe(false);
    expect(t.records.some((r: any) => r.msg === "a line for the tail")).toBe(true);
  });
  test("metrics: Prometheus text with messages, runs by outcome, histograms, connections, RSS, lag", async () => {
    const text = await (await h.request("/metrics")).text();
    expect(text).toMatch(/^openclaw_messages_total \d+/m);
    expect(text).toMatch(/^openclaw_runs_total\{outcome="ok"\} \d+/m);
    expect(text).toContain('openclaw_run_duration_seconds_bucket{le="+Inf"}');
    expect(text).toContain('openclaw_rpc_duration_seconds_bucket{method="chat.send",le="0.001"}');
    expect(text).toMatch(/^openclaw_ws_connections 0/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^openclaw_event_loop_lag_seconds /m);
  });
});

describe("draining and channels", () => {
  test("while draining: chat.send is -32007 and readyz is 503", async () => {
    const d = makeHarness();
    d.gw.runs.draining = true;
    expect((await d.rpc("chat.send", { text: "late" })).error.code).toBe(-32007);
    expect((await d.request("/readyz", { auth: null })).status).toBe(503);
    await d.close();
  });
  test("channel routes are mounted without gateway auth; channel status is reported", async () => {
    const seen: string[] = [];
    const channel = {
      id: "fake",
      start: async () => {},
      stop: async () => {},
      status: () => ({ id: "fake", enabled: true, running: true, state: "running" as const, mode: "webhook" }),
      routes: () => [{ method: "POST" as const, path: "/fake-hook", handle: async (r: Request) => (seen.push(await r.text()), new Response("ok")) }],
    };
    const c = makeHarness({ deps: { channels: [channel] } });
    const r = await c.request("/fake-hook", { method: "POST", body: "update", auth: null });
    expect(r.status).toBe(200);
    expect(seen).toEqual(["update"]);
    expect((await c.rpc("channels.status")).result.channels).toEqual([{ id: "fake", enabled: true, running: true, state: "running", mode: "webhook" }]);
    expect((await c.rpc("status")).result.channels[0].id).toBe("fake");
    await c.close();
  });
});
