// e2e: the compiled binary starts while the Telegram Bot API cannot be reached — a closed port
// (every connect fails at once, so the channel retries) and a server that accepts and never answers
// (the first getMe hangs, so the channel is still starting). Either way the gateway listens, /readyz
// and the `status` RPC show the channel not running with no bot token in them, and SIGTERM stops the
// process with exit 0 while the channel is still trying.
import { afterAll, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import type { GatewayChild } from "../gateway/process.ts";
import { TOKEN, rpc, startBinaryGateway, stopGateway, waitUntil } from "./binary-gateway.ts";

const BOT_SECRET = "AAE2eUnreachableSecretPart_0123456789abcd";
const BOT_TOKEN = `987654321:${BOT_SECRET}`;

function closedPort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

/** Accepts TCP connections and never writes a byte. */
async function silentServer(): Promise<{ port: number; accepted: () => number; close: () => void }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { port, accepted: () => sockets.length, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

const config = (apiRoot: string) => ({
  gateway: { auth: { token: TOKEN } },
  agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "off" } } },
  channels: { telegram: { botToken: BOT_TOKEN, apiRoot, dmPolicy: "open" } },
});

// biome-ignore lint: /readyz is arbitrary JSON
async function readyz(gw: GatewayChild): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${gw.url}/readyz`);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), text };
}

function expectNoToken(where: string, text: string): void {
  expect({ where, leaked: text.includes(BOT_SECRET) }).toEqual({ where, leaked: false });
}

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

describe("compiled binary: Telegram API unreachable at start-up", () => {
  test("a closed port: listening, the channel retrying in /readyz and status without the token, SIGTERM exits 0", async () => {
    const gw = await startBinaryGateway(config(`http://127.0.0.1:${closedPort()}`));
    cleanups.push(() => gw.proc.kill("SIGKILL"));
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const r = await waitUntil(async () => {
      const x = await readyz(gw);
      const tg = x.body.channels?.find((c: { id: string }) => c.id === "telegram");
      return tg?.state === "retrying" && tg.lastError ? x : undefined;
    }, "the telegram channel to report state retrying with a lastError in /readyz");
    expect(r.status).toBe(200);
    expect(r.body.ready).toBe(true); // a channel that cannot connect does not make the gateway unready
    const tg = r.body.channels.find((c: { id: string }) => c.id === "telegram");
    expect(tg).toMatchObject({ id: "telegram", running: false, state: "retrying" });
    expect(tg.lastError).toContain("127.0.0.1"); // names the host it could not reach
    expectNoToken("/readyz", r.text);

    const status = await rpc(gw, "status");
    const st = status.result.channels.find((c: { id: string }) => c.id === "telegram");
    expect(st).toMatchObject({ id: "telegram", running: false, state: "retrying" }); // retrying never goes back to starting
    expect(st.lastError).toContain("127.0.0.1");
    expectNoToken("status", JSON.stringify(status));

    expect(await stopGateway(gw)).toBe(0);
    expect(gw.stderr()).toContain("telegram: connect failed; retrying");
    expectNoToken("stderr", gw.stderr());
  }, 60_000);

  test("a server that accepts and never answers: listening while getMe hangs, starting in /readyz and status, SIGTERM exits 0", async () => {
    const silent = await silentServer();
    cleanups.push(silent.close);
    const gw = await startBinaryGateway(config(`http://127.0.0.1:${silent.port}`));
    cleanups.push(() => gw.proc.kill("SIGKILL"));
    await waitUntil(async () => (silent.accepted() > 0 ? true : undefined), "the gateway to open a connection to the silent Bot API");
    // getMe is in flight and unanswered (its own timeout is 30 s), and the gateway already serves
    const r = await readyz(gw);
    expect(r.status).toBe(200);
    const tg = r.body.channels.find((c: { id: string }) => c.id === "telegram");
    expect(tg).toMatchObject({ id: "telegram", running: false, state: "starting" });
    expectNoToken("/readyz", r.text);
    const status = await rpc(gw, "status");
    expect(status.result.channels.find((c: { id: string }) => c.id === "telegram")).toMatchObject({ running: false, state: "starting" });
    expectNoToken("status", JSON.stringify(status));

    expect(await stopGateway(gw)).toBe(0); // stop aborts the hanging getMe instead of waiting it out
    expect(gw.stderr()).toContain("gateway stopped");
    expectNoToken("stderr", gw.stderr());
  }, 60_000);
});
