// A plugin tool whose call the host stops waiting for — the run was aborted, or the tool timed
// out — is cancelled inside the plugin too: the runner gets `cancel {id}` and aborts the call's
// ToolCallContext signal, so the plugin's work stops instead of running on unseen.
import { afterEach, describe, expect, test } from "bun:test";
import type { ToolContext } from "../../src/tools/types.ts";
import { toolContext } from "../tools/helpers.ts";
import { startHost, type TestHost } from "./helpers.ts";

let h: TestHost | undefined;
afterEach(async () => {
  await h?.host.stop();
  h = undefined;
});

/** the plugin's "saw abort" log line for `callId`; fails loudly after 4 s */
async function sawAbort(t: TestHost, callId: string): Promise<string> {
  const end = Date.now() + 4_000;
  while (Date.now() < end) {
    const line = t.log.records.find((r) => r.msg.startsWith(`wait_forever ${callId} saw abort`));
    if (line) return line.msg;
    await Bun.sleep(10);
  }
  throw new Error(`the plugin never saw the cancel of ${callId}; log: ${JSON.stringify(t.log.records.map((r) => r.msg))}`);
}

describe("plugin tool cancellation", () => {
  test("aborting the run aborts the tool call inside the plugin", async () => {
    h = await startHost(["cancel"]);
    const abort = new AbortController();
    const running = h.target.tools.get("wait_forever")!.run({}, toolContext({ toolCallId: "call_abort", signal: abort.signal }) as ToolContext);
    abort.abort(new Error("user pressed stop"));
    expect((await running).isError).toBe(true);
    expect(await sawAbort(h, "call_abort")).toContain("the host cancelled this call");
    expect(h.host.list().find((p) => p.id === "cancel")).toMatchObject({ state: "running", crashes: 0 });
  });

  test("a tool timeout cancels the call inside the plugin, and the plugin keeps serving", async () => {
    h = await startHost(["cancel"], { host: { toolTimeoutMs: 300 } });
    const r = await h.target.tools.get("wait_forever")!.run({}, toolContext({ toolCallId: "call_timeout" }) as ToolContext);
    expect(r.isError).toBe(true);
    expect(await sawAbort(h, "call_timeout")).toContain("the host cancelled this call");
    expect(h.host.list().find((p) => p.id === "cancel")).toMatchObject({ state: "running", crashes: 0 });
  });
});
