import { afterEach, expect, test } from "bun:test";
import { ConflictError } from "../../src/core/errors.ts";
import { say } from "../fakes/scripted-provider.ts";
import { OWNER, setup, type Harness } from "./harness.ts";

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

test("409 conflict is reported in status and not looped on", async () => {
  const h = await setup({ script: [], start: false });
  open.push(h);
  h.fake.conflictNext();
  await h.channel.start();
  await h.channel.ready();
  await h.channel.pollerDone(); // the polling loop has ended: nothing can poll again
  expect(h.fake.callsOf("getUpdates").length).toBe(1);
  const st = h.channel.status();
  expect(st.details?.poller).toBe("conflict");
  expect(st.state).toBe("failed");
  expect(st.running).toBe(false);
  expect(st.lastError).toContain("Conflict");
});

test("a stalled poll is restarted by the watchdog, then updates flow again", async () => {
  const h = await setup({ script: [say.text("back online")], telegram: { watchdogMs: 300, pollTimeoutSeconds: 0 }, start: false });
  open.push(h);
  h.fake.stallNext();
  await h.channel.start();
  h.fake.dm(OWNER, "hello?");
  await h.fake.waitFor(() => h.fake.textsIn(OWNER).includes("back online"), 5000, "answer after restart");
  expect(h.channel.status().details?.pollRestarts).toBeGreaterThanOrEqual(1);
});

test("one poller per bot token in a process", async () => {
  const a = await setup({ script: [] });
  open.push(a);
  const b = await setup({ script: [], fake: a.fake, start: false });
  open.push(b);
  await expect(b.channel.start()).rejects.toBeInstanceOf(ConflictError);
});
