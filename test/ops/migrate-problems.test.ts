// Files migrate cannot read are reported and skipped (the rest still imports); the gateway's
// start-up notice appears while OpenClaw data is not imported, and again when OpenClaw wrote more.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runMigrate } from "../../src/ops/migrate.ts";
import { openClawNotice } from "../../src/ops/migrate-notice.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { fixtureHome, freshState, treeHash } from "./migrate-helpers.ts";

setDefaultTimeout(30_000);
const saved = { state: process.env.OPENCLAW_STATE_DIR, config: process.env.OPENCLAW_CONFIG_PATH };
afterAll(() => {
  process.env.OPENCLAW_STATE_DIR = saved.state;
  process.env.OPENCLAW_CONFIG_PATH = saved.config;
});

test("an unreadable agent database, session index and credentials file are reported and skipped; the rest imports", async () => {
  const home = fixtureHome();
  freshState();
  writeFileSync(join(home, "agents/main/agent/openclaw-agent.sqlite"), "this is not a database, just text that is long enough to be read ".repeat(20));
  mkdirSync(join(home, "agents/broken/sessions/sessions.json"), { recursive: true }); // a directory where a file should be
  writeFileSync(join(home, "credentials/telegram-pairing.json"), "{ not json");
  const before = treeHash(home);
  const r = await runMigrate({ from: home });
  const paths = r.problems.map((p) => p.path);
  expect(paths).toContain(join(home, "agents/main/agent/openclaw-agent.sqlite"));
  expect(paths).toContain(join(home, "agents/broken/sessions/sessions.json"));
  expect(paths).toContain(join(home, "credentials/telegram-pairing.json"));
  expect(r.problems.find((p) => p.path.endsWith("openclaw-agent.sqlite"))!.problem).toContain("its sessions were skipped");
  expect(r.sessions.imported).toBe(1); // the JSONL session of agent "ops" still came across
  expect(treeHash(home)).toBe(before);
});

test("a config this version rejects is reported with its key and not copied", async () => {
  const home = fixtureHome();
  const st = freshState();
  writeFileSync(join(home, "openclaw.json"), JSON.stringify({ gateway: { port: "not-a-port" } }));
  const r = await runMigrate({ from: home });
  const p = r.problems.find((x) => x.path === join(home, "openclaw.json"));
  expect(p?.problem).toContain("gateway.port");
  expect(r.config.action).toBe("none");
  expect(readdirSync(st.state)).not.toContain("openclaw.json");
});

test("the start-up notice names the command while OpenClaw data is not imported, and again after OpenClaw wrote more", async () => {
  const home = fixtureHome();
  freshState();
  const store = await openStore();
  try {
    const notice = await openClawNotice(store, [home]);
    expect(notice).toContain(`openclaw migrate --from ${home}`);
    await store.close();
    await runMigrate({ from: home });
    const again = await openStore();
    expect(await openClawNotice(again, [home])).toBeNull();
    const jsonl = readdirSync(join(home, "agents/ops/sessions")).find((n) => n.endsWith(".jsonl"))!;
    appendFileSync(join(home, "agents/ops/sessions", jsonl), "\n");
    expect(await openClawNotice(again, [home])).toContain("openclaw migrate");
    await again.close();
  } finally {
    await store.close();
  }
});

test("a directory with no OpenClaw data gives no notice; a missing --from is a clear error", async () => {
  const home = fixtureHome();
  freshState();
  rmSync(join(home, "agents"), { recursive: true });
  rmSync(join(home, "credentials"), { recursive: true });
  rmSync(join(home, "state"), { recursive: true });
  const store = await openStore();
  expect(await openClawNotice(store, [home])).toBeNull();
  await store.close();
  await expect(runMigrate({ from: join(home, "nope") })).rejects.toThrow(/no OpenClaw home at .*nope; pass --from/);
});

test("a compaction entry becomes our compaction marker: its summary replaces the runs before OpenClaw's first kept entry", async () => {
  const home = fixtureHome();
  freshState();
  const dir = join(home, "agents/ops/sessions");
  const msg = (id: string, parentId: string | null, role: string, text: string) => JSON.stringify({ type: "message", id, parentId, timestamp: "2026-01-01T00:00:00.000Z", message: { role, content: [{ type: "text", text }] } });
  writeFileSync(join(dir, "c.jsonl"), [
    JSON.stringify({ type: "session", version: 3, id: "c", timestamp: "2026-01-01T00:00:00.000Z", cwd: "/" }),
    msg("u1", null, "user", "one"), msg("a1", "u1", "assistant", "1"),
    msg("u2", "a1", "user", "two"), msg("a2", "u2", "assistant", "2"),
    JSON.stringify({ type: "compaction", id: "k", parentId: "a2", timestamp: "2026-01-01T00:01:00.000Z", summary: "they counted", firstKeptEntryId: "u2", tokensBefore: 50 }),
    msg("u3", "k", "user", "three"),
  ].join("\n") + "\n");
  writeFileSync(join(dir, "sessions.json"), JSON.stringify({ "agent:ops:counting": { sessionId: "c", updatedAt: 1 } }));
  await runMigrate({ from: home });
  const store = await openStore();
  try {
    const events = await store.readRange("agent:ops:counting", 1);
    const u2 = events.find((e) => e.data.type === "user_message" && e.data.message.content[0]?.type === "text" && e.data.message.content[0].text === "two")!;
    const c = events.find((e) => e.data.type === "compaction")!;
    expect(c.data).toMatchObject({ summary: "they counted", throughSeq: u2.seq - 1, tokensBefore: 50 });
  } finally {
    await store.close();
  }
});
