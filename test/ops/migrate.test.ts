// `runMigrate` on the OpenClaw home real OpenClaw produced (test/fixtures/openclaw-home): what
// carries over (keys preserved, messages, tool calls, pairing, config, workspace), that the source is
// never modified, that a second run imports nothing, and that a dry run writes nothing.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { databasePath } from "../../src/config/paths.ts";
import { runMigrate } from "../../src/ops/migrate.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { fixtureHome, freshState, listTree, treeHash, pendingPairingCreatedAt } from "./migrate-helpers.ts";

setDefaultTimeout(30_000);
const saved = { state: process.env.OPENCLAW_STATE_DIR, config: process.env.OPENCLAW_CONFIG_PATH };
afterAll(() => {
  process.env.OPENCLAW_STATE_DIR = saved.state;
  process.env.OPENCLAW_CONFIG_PATH = saved.config;
});

/** a moment when the fixture's pending pairing request is still live (one minute after it was made) */
function fixtureNow(home: string): number {
  return pendingPairingCreatedAt(home) + 60_000;
}

async function texts(key: string): Promise<string[]> {
  const store = await openStore();
  try {
    const events = await store.readRange(key, 1);
    return events.flatMap((e) => ("message" in e.data ? e.data.message.content.flatMap((b) => (b.type === "text" ? [`${e.data.type}:${b.text}`] : b.type === "tool_use" ? [`tool_use:${b.name}`] : b.type === "tool_result" ? ["tool_result"] : [])) : []));
  } finally {
    await store.close();
  }
}

test("imports the sessions (keys preserved), pairing, config and workspace of a real OpenClaw home", async () => {
  const home = fixtureHome();
  const st = freshState();
  const r = await runMigrate({ from: home, now: fixtureNow(home) });
  expect(r.problems).toEqual([]);
  expect(r.sessions).toMatchObject({ found: 3, imported: 3, already: 0 });

  const main = await texts("agent:main:main");
  expect(main).toContain("user_message:Hello from the fixture");
  expect(main).toContain("assistant_message:Hello! I am the fixture assistant.");
  const second = await texts("agent:main:second");
  expect(second).toEqual(expect.arrayContaining(["user_message:What does my USER.md say?", "tool_use:read", "tool_result", "assistant_message:Your USER.md describes you."]));
  // the JSONL layout (agent "ops") carries the same conversation
  expect(await texts("agent:ops:main")).toEqual(second);

  const store = await openStore();
  try {
    expect(await store.listUnfinishedRuns()).toEqual([]); // every imported run is closed: nothing to mark interrupted
    const s = await store.getSession("agent:ops:main");
    expect(s?.agentId).toBe("ops");
    expect(s!.createdAt).toBeLessThan(Date.now() - 1); // OpenClaw's time, not the import's
    expect((await store.pairingGet("telegram", "424242"))?.status).toBe("approved");
    expect((await store.pairingGet("telegram", "515151"))?.status).toBe("pending");
  } finally {
    await store.close();
  }
  expect(r.pairing).toMatchObject({ found: 2, imported: 2 });

  expect(r.config.action).toBe("written");
  const written = JSON.parse(readFileSync(st.config, "utf8")) as { channels: { telegram: { dmPolicy: string } }; agents: { defaults: { heartbeat?: unknown } } };
  expect(written.channels.telegram.dmPolicy).toBe("pairing");
  expect(written.agents.defaults.heartbeat).toEqual({ every: "0m" }); // a key with no effect here is kept
  expect(r.config.noEffect).toContain("agents.defaults.heartbeat");
  expect(r.workspace.copied).toEqual(expect.arrayContaining(["AGENTS.md", "SOUL.md", "USER.md", "IDENTITY.md"]));
  expect(existsSync(join(st.state, "workspace", "USER.md"))).toBe(true);
  expect(r.plugins.entries).toContain("memory-core");
});

test("never modifies the source home, and a second run imports nothing new", async () => {
  const home = fixtureHome();
  freshState();
  const before = treeHash(home);
  const first = await runMigrate({ from: home, now: fixtureNow(home) });
  expect(first.sessions.imported).toBe(3);
  const store = await openStore();
  const seqs = async () => (await store.listSessions()).items.map((s) => `${s.key}:${s.lastSeq}`).sort();
  const after1 = await seqs();
  await store.close();

  const second = await runMigrate({ from: home, now: fixtureNow(home) });
  expect(second.sessions).toMatchObject({ found: 3, imported: 0, already: 3, events: 0 });
  expect(second.pairing).toMatchObject({ imported: 0, already: 2 });
  expect(second.workspace.copied).toEqual([]);
  expect(second.config.action).toBe("kept");
  const again = await openStore();
  expect((await again.listSessions()).items.map((s) => `${s.key}:${s.lastSeq}`).sort()).toEqual(after1);
  await again.close();
  expect(treeHash(home)).toBe(before);
});

test("--dry-run reports the same counts and writes nothing", async () => {
  const home = fixtureHome();
  const st = freshState();
  const dry = await runMigrate({ from: home, dryRun: true, now: fixtureNow(home) });
  expect(listTree(st.state)).toEqual([]); // no database, no config, no workspace
  expect(existsSync(databasePath())).toBe(false);
  const real = await runMigrate({ from: home, now: fixtureNow(home) });
  expect(dry.sessions).toEqual(real.sessions);
  expect(dry.pairing).toEqual(real.pairing);
  expect(dry.workspace.copied).toEqual(real.workspace.copied);
  // with a database now present, a dry run counts against it, and still changes nothing
  const before = treeHash(join(st.state, "workspace")) + readFileSync(st.config, "utf8");
  const dry2 = await runMigrate({ from: home, dryRun: true, now: fixtureNow(home) });
  expect(dry2.sessions).toMatchObject({ imported: 0, already: 3 });
  expect(treeHash(join(st.state, "workspace")) + readFileSync(st.config, "utf8")).toBe(before);
});

test("an existing config of ours is merged: keys it lacks are added, its own values win; installed plugins join plugins.load.paths", async () => {
  const home = fixtureHome();
  const st = freshState();
  mkdirSync(join(home, "extensions", "hello"), { recursive: true });
  writeFileSync(join(home, "extensions", "hello", "openclaw.plugin.json"), JSON.stringify({ id: "hello", configSchema: {} }));
  mkdirSync(st.state, { recursive: true });
  writeFileSync(st.config, JSON.stringify({ gateway: { port: 18800 }, channels: { telegram: { dmPolicy: "allowlist" } } }), { mode: 0o600 });
  const r = await runMigrate({ from: home, now: fixtureNow(home) });
  expect(r.config.action).toBe("merged");
  const doc = JSON.parse(readFileSync(st.config, "utf8")) as { gateway: { port: number; mode?: string }; channels: { telegram: { dmPolicy: string; botToken?: string } }; plugins: { load: { paths: string[] } } };
  expect(doc.gateway.port).toBe(18800);
  expect(doc.gateway.mode).toBe("local");
  expect(doc.channels.telegram.dmPolicy).toBe("allowlist");
  expect(doc.channels.telegram.botToken).toBe("123456:fixture-bot-token");
  expect(doc.plugins.load.paths).toEqual([join(home, "extensions", "hello")]);
  expect(r.plugins.extensions).toEqual([join(home, "extensions", "hello")]);
});
