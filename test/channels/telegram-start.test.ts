// Start-up in the background: start() returns at once, connecting is retried (bounded) and
// reported in status(); stop() works in every state, mid-connect included.
import { afterEach, expect, test } from "bun:test";
import { configureLogging } from "../../src/core/log.ts";
import { FAKE_TOKEN } from "../fakes/telegram.ts";
import { say } from "../fakes/scripted-provider.ts";
import { setup, type Harness } from "./harness.ts";

const open: Harness[] = [];
const lines: string[] = [];
afterEach(async () => {
  configureLogging({ level: "silent", sink: (l) => process.stderr.write(l + "\n") });
  lines.length = 0;
  for (const h of open.splice(0)) await h.close();
});
function captureLogs(): void {
  configureLogging({ level: "debug", sink: (l) => lines.push(l) });
}

function closedPort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

/** A clock whose sleeps wait until the test releases them: the test sees each retry state. */
function gatedClock() {
  const waiting: (() => void)[] = [];
  return {
    clock: { now: () => Date.now(), sleep: (_ms: number, signal?: AbortSignal) => new Promise<void>((r) => { waiting.push(r); signal?.addEventListener("abort", () => r(), { once: true }); }) },
    waiting,
    release: () => waiting.splice(0).forEach((r) => r()),
  };
}

/** Fails loudly instead of hanging when a promise does not settle. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

test("a refused token: start() returns, the channel fails without retrying and says why", async () => {
  const h = await setup({ script: [], start: false, telegram: { botToken: "123456:wrongwrongwrongwrongwrongwrongwrongwrong" } });
  open.push(h);
  await h.channel.start();
  expect(await h.channel.ready()).toBe("failed");
  const st = h.channel.status();
  expect(st.running).toBe(false);
  expect(st.lastError).toContain("refused");
  expect(st.lastError).toContain("botToken");
  expect(h.fake.callsOf("getMe").length).toBe(1);
});

test("apiRoot at a closed port: start() returns at once, retries are bounded and logged with the host, never the token", async () => {
  captureLogs();
  const port = closedPort();
  const g = gatedClock();
  const h = await setup({ script: [], start: false, telegram: { apiRoot: `http://127.0.0.1:${port}` }, channel: { clock: g.clock, maxConnectAttempts: 3 } });
  open.push(h);
  await h.channel.start();
  expect(h.channel.status().state).toBe("starting");
  for (let retry = 1; retry <= 2; retry++) {
    await h.fake.waitFor(() => g.waiting.length === 1, 5000, `connect retry ${retry} waiting`);
    const st = h.channel.status();
    expect(st.state).toBe("retrying");
    expect(st.lastError).toContain(`127.0.0.1:${port}`);
    g.release();
  }
  expect(await h.channel.ready()).toBe("failed");
  const log = lines.join("\n");
  expect(log).toContain("connect failed; retrying");
  expect(log).toContain(`host=127.0.0.1:${port}`);
  expect(log).toContain("giving up");
  expect(log).not.toContain(FAKE_TOKEN.split(":")[1]!);
  expect(JSON.stringify(h.channel.status())).not.toContain(FAKE_TOKEN.split(":")[1]!);
});

test("a Bot API that never answers: stop() mid-connect aborts the request and returns", async () => {
  const h = await setup({ script: [], start: false, channel: { connectTimeoutMs: 600_000 } });
  open.push(h);
  h.fake.hangNext("getMe");
  await h.channel.start();
  await h.fake.waitFor(() => h.fake.callsOf("getMe").length === 1, 5000, "getMe in flight");
  expect(h.channel.status().state).toBe("starting");
  await within(h.channel.stop(), 10_000, "stop() mid-connect");
  expect(h.channel.status().state).toBe("stopped");
  await h.fake.waitFor(() => h.fake.abortedCalls === 1, 5000, "the fake to see the abort");
});

test("a hanging attempt times out and is retried; the channel then runs and answers", async () => {
  const h = await setup({ script: [say.text("connected at last")], start: false, channel: { connectTimeoutMs: 200 } });
  open.push(h);
  h.fake.hangNext("getMe");
  await h.channel.start();
  expect(await h.channel.ready()).toBe("running");
  expect(h.fake.callsOf("getMe").length).toBe(2);
  expect(h.fake.abortedCalls).toBe(1);
  h.fake.dm(1001, "hi");
  await h.fake.waitFor(() => h.fake.textsIn(1001).includes("connected at last"), 5000, "reply");
});

test("stop() while waiting between retries returns, and start() again connects", async () => {
  const g = gatedClock();
  const h = await setup({ script: [], start: false, channel: { clock: g.clock } });
  open.push(h);
  h.fake.rateLimitNext("getMe", 120); // longer than auto-retry waits for: the connect loop backs off
  await h.channel.start();
  await h.fake.waitFor(() => g.waiting.length === 1 && h.channel.status().state === "retrying", 10_000, "waiting to retry");
  await within(h.channel.stop(), 10_000, "stop() between retries");
  expect(h.channel.status().state).toBe("stopped");
  await h.channel.start();
  expect(await h.channel.ready()).toBe("running");
});
