// deleteSession under a live run: the run is aborted and awaited first, so nothing it writes
// afterwards re-creates the session; an admission racing the delete settles first, and a message
// sent after the delete starts a new session.
import { describe, expect, test } from "bun:test";
import { say } from "../fakes/scripted-provider.ts";
import { makeRuntime, until } from "./helpers.ts";

describe("AgentRuntime.deleteSession", () => {
  test("a running run is aborted and awaited; the session stays deleted", async () => {
    const { runtime, store } = makeRuntime([say.text("thinking…", { hang: true })]);
    const handle = await runtime.start({ sessionKey: "d", text: "long task" });
    await until(() => runtime.runs().some((r) => r.sessionKey === "d" && r.state === "running"));
    expect(await runtime.deleteSession("d")).toBe(true);
    // the run ended before the delete returned (its run_finished was written, then deleted)
    expect(runtime.runs()).toEqual([]);
    expect((await handle.done).cause).toBe("aborted");
    expect(await store.getSession("d")).toBeNull();
    expect(await store.readRange("d", 1)).toEqual([]);
    expect(await store.listUnfinishedRuns()).toEqual([]);
  });

  test("queued runs and an admission in flight are settled before the delete", async () => {
    const { runtime, store } = makeRuntime((_req, i) => (i === 0 ? say.text("a", { hang: true }) : say.text(`reply ${i}`)));
    const first = await runtime.start({ sessionKey: "q", text: "one" });
    await until(() => runtime.runs().some((r) => r.state === "running"));
    const second = await runtime.start({ sessionKey: "q", text: "two" }); // queued behind the first
    const third = runtime.start({ sessionKey: "q", text: "three" }); // admission still in flight
    const deleted = runtime.deleteSession("q");
    const results = await Promise.all([first.done, second.done, (await third).done]);
    expect(await deleted).toBe(true);
    expect(results.map((r) => r.outcome)).toEqual(["aborted", "aborted", "aborted"]);
    expect(await store.getSession("q")).toBeNull();
    // the next message starts a fresh session
    const after = await runtime.processMessage("q", "again");
    expect(after.outcome).toBe("ok");
    expect((await store.readRange("q", 1)).filter((e) => e.type === "user_message").length).toBe(1);
  });

  test("deleting a session that does not exist returns false", async () => {
    const { runtime } = makeRuntime([]);
    expect(await runtime.deleteSession("none")).toBe(false);
  });
});
