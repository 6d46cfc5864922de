// The webhook route on a real HTTP server: failed-secret limiting per source and overall (virtual
// time), the capped body reader and the bounded, prototype-safe parser.
import { afterEach, expect, test } from "bun:test";
import type { Update } from "grammy/types";
import { webhookRoute, SECRET_HEADER } from "../../src/channels/telegram/webhook.ts";
import { createLogger } from "../../src/core/log.ts";
import { ApiKey } from "../../src/core/secrets.ts";

const SECRET = "wh_secret-0123456789abcdef";
const servers: { stop(force?: boolean): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

function serve(opts: { maxBodyBytes?: number } = {}) {
  let now = 5_000_000;
  const accepted: Update[] = [];
  const route = webhookRoute({
    path: "/telegram-webhook", secret: new ApiKey(SECRET), maxBodyBytes: opts.maxBodyBytes ?? 4096, log: createLogger("test"),
    accept: async (u) => (accepted.push(u), true),
    limits: { freeFailures: 2, baseDelayMs: 60_000, maxDelayMs: 60_000, globalFailures: 10, globalWindowMs: 60_000, now: () => now },
  });
  // The source is the x-test-source header here, standing in for the socket address the gateway passes.
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => route.handle(r, { address: r.headers.get("x-test-source") ?? "?" }) });
  servers.push(server);
  const post = (source: string, secret: string | null, body: BodyInit = JSON.stringify({ update_id: 1 }), headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${server.port}/telegram-webhook`, {
      method: "POST", body, headers: { "content-type": "application/json", "x-test-source": source, ...(secret ? { [SECRET_HEADER]: secret } : {}), ...headers },
    });
  return { post, accepted, advance: (ms: number) => (now += ms) };
}

test("a source that keeps failing the secret gets 429 + retry-after (even with the right secret) until the window ends", async () => {
  const w = serve();
  for (let i = 0; i < 3; i++) expect((await w.post("10.0.0.1", "wrong")).status).toBe(401);
  const limited = await w.post("10.0.0.1", SECRET);
  expect(limited.status).toBe(429);
  expect(limited.headers.get("retry-after")).toBe("60");
  expect((await w.post("10.0.0.2", SECRET)).status).toBe(200); // another source is not affected
  w.advance(30_000);
  expect((await w.post("10.0.0.1", SECRET)).headers.get("retry-after")).toBe("30");
  w.advance(30_000);
  expect((await w.post("10.0.0.1", SECRET)).status).toBe(200);
  expect(w.accepted.length).toBe(2);
});

test("failures from many sources close the route for everyone until the window ends", async () => {
  const w = serve();
  for (let i = 0; i < 10; i++) expect((await w.post(`10.1.0.${i}`, null)).status).toBe(401);
  expect((await w.post("10.9.9.9", SECRET)).status).toBe(429);
  w.advance(60_000);
  expect((await w.post("10.9.9.9", SECRET)).status).toBe(200);
});

test("the body is capped (declared or streamed), depth-limited, and keys that pollute prototypes are dropped", async () => {
  const w = serve({ maxBodyBytes: 256 });
  expect((await w.post("a", SECRET, JSON.stringify({ update_id: 2, pad: "x".repeat(300) }))).status).toBe(413);
  const chunked = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode(" ".repeat(100)));
      c.close();
    },
  });
  expect((await w.post("a", SECRET, chunked)).status).toBe(413);
  expect((await w.post("a", SECRET, "[".repeat(40) + "]".repeat(40))).status).toBe(400);
  expect((await w.post("a", SECRET, "{not json")).status).toBe(400);
  const res = await w.post("a", SECRET, '{"update_id":3,"__proto__":{"polluted":true},"message":{"constructor":{"prototype":{"x":1}}}}');
  expect(res.status).toBe(200);
  const u = w.accepted[0] as unknown as Record<string, unknown>;
  expect(u.update_id).toBe(3);
  expect(Object.getPrototypeOf(u)).toBe(Object.prototype);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.hasOwn(u.message as object, "constructor")).toBe(false);
});

test("rotating addresses inside one IPv6 /64 or across loopback buys a guesser nothing (one source each)", async () => {
  const w = serve();
  for (const a of ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"]) expect((await w.post(a, "wrong")).status).toBe(401);
  expect((await w.post("2001:db8:1:2::4", "wrong")).status).toBe(429);
  for (const a of ["127.0.0.1", "127.0.0.2", "::1"]) expect((await w.post(a, "wrong")).status).toBe(401);
  expect((await w.post("127.9.9.9", SECRET)).status).toBe(429);
  expect((await w.post("2001:db8:1:3::1", SECRET)).status).toBe(200); // another /64 is another source
});
