// e2e: the compiled binary (dist/openclaw, built if missing) runs the gateway with the Telegram
// channel against the fake Bot API and the fake Anthropic API, each in its own process, and
// answers a DM from an allowlisted user; a stranger gets nothing and costs no model call.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { FAKE_TOKEN } from "../fakes/telegram.ts";
import { freshBinary } from "./fresh-binary.ts";

const root = join(import.meta.dir, "..", "..");
const bin = join(root, "dist", "openclaw");
const OWNER = 4242;
const STRANGER = 777;
const procs: Subprocess[] = [];

async function urlFrom(proc: Subprocess<"ignore", "pipe", "pipe">, prefix: string, timeoutMs = 15_000): Promise<string> {
  const reader = proc.stdout.getReader();
  let buf = "";
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const { value, done } = await Promise.race([reader.read(), Bun.sleep(end - Date.now()).then(() => ({ value: undefined, done: true }))]);
    if (done) break;
    buf += new TextDecoder().decode(value);
    const m = new RegExp(`${prefix}=(\\S+)`).exec(buf);
    if (m) {
      reader.releaseLock();
      return m[1]!;
    }
  }
  throw new Error(`no ${prefix} line from the fake (got: ${buf})`);
}

function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

let tgUrl = "";
let gateway: Subprocess<"ignore", "pipe", "pipe"> | null = null;

beforeAll(async () => {
  freshBinary();
  const tg = Bun.spawn([process.execPath, "test/fakes/telegram.ts"], { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...process.env } });
  procs.push(tg);
  tgUrl = await urlFrom(tg, "FAKE_TELEGRAM_URL");
  const an = Bun.spawn([process.execPath, "test/fakes/anthropic.ts", "--port", "0"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  procs.push(an);
  const anUrl = await urlFrom(an, "FAKE_ANTHROPIC_URL");

  const home = mkdtempSync(join(tmpdir(), "oc-e2e-tg-"));
  const state = join(home, ".openclaw");
  mkdirSync(state, { recursive: true, mode: 0o700 });
  const config = {
    gateway: { port: freePort(), auth: { mode: "token", token: "e2e-gateway-token-0123456789abcdef0123456789" } },
    agents: { defaults: { model: "anthropic/claude-sonnet-4-5", sandbox: { level: "off" } } },
    models: { providers: { anthropic: { baseUrl: anUrl, apiKey: "sk-ant-e2e-test-key-000000000000" } } },
    channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: tgUrl, dmPolicy: "allowlist", allowFrom: [OWNER], pollTimeoutSeconds: 1 } },
  };
  writeFileSync(join(state, "openclaw.json"), JSON.stringify(config), { mode: 0o600 });
  gateway = Bun.spawn([bin, "gateway", "run"], {
    cwd: home, stdout: "pipe", stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, OPENCLAW_STATE_DIR: state, NO_COLOR: "1" },
  });
  procs.push(gateway);
}, 180_000);

afterAll(async () => {
  for (const p of procs.reverse()) {
    p.kill("SIGTERM");
    await Promise.race([p.exited, Bun.sleep(5000)]);
    if (p.exitCode === null) p.kill("SIGKILL");
  }
});

async function calls(): Promise<{ method: string; params: Record<string, unknown> }[]> {
  const r = await fetch(`${tgUrl}/_control/calls`);
  return ((await r.json()) as { calls: { method: string; params: Record<string, unknown> }[] }).calls;
}

test("the binary answers an allowlisted DM through the fake Bot API; a stranger gets nothing", async () => {
  const inject = (userId: number, text: string) =>
    fetch(`${tgUrl}/_control/inject`, { method: "POST", body: JSON.stringify({ kind: "dm", userId, text }) });
  // wait for the gateway's poller to be up
  const end = Date.now() + 30_000;
  while (Date.now() < end && !(await calls()).some((c) => c.method === "getUpdates")) await Bun.sleep(100);
  expect((await calls()).some((c) => c.method === "setMyCommands")).toBe(true);

  await inject(STRANGER, "let me in");
  await inject(OWNER, "ping from e2e");
  let reply: string | undefined;
  while (Date.now() < end && !reply) {
    const sends = (await calls()).filter((c) => (c.method === "sendMessage" || c.method === "editMessageText") && Number(c.params.chat_id) === OWNER);
    reply = sends.map((c) => String(c.params.text)).find((t) => t.includes("ping from e2e"));
    if (!reply) await Bun.sleep(100);
  }
  expect(reply).toContain("ping from e2e"); // the fake Anthropic echoes the user text
  const toStranger = (await calls()).filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === STRANGER);
  expect(toStranger).toEqual([]);
}, 60_000);
