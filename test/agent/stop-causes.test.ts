// Every run end carries a typed cause (final event, response, stored run_finished), and an internal
// failure reaches clients as a safe message: the detail (file path, SQL) goes to the log only.
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { onLog, type LogRecord } from "../../src/core/log.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { defineTool } from "../../src/tools/tool.ts";
import { say } from "../fakes/scripted-provider.ts";
import { allEvents, makeRuntime, until } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "stop-causes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function finishedOf(store: Parameters<typeof allEvents>[0], key: string) {
  return (await allEvents(store, key)).find((e) => e.data.type === "run_finished")!.data;
}

describe("typed stop causes", () => {
  test("completed, limit and provider_error", async () => {
    const { runtime, store } = makeRuntime([say.text("ok"), say.text("long", { stopReason: "max_tokens" }), say.error("upstream down", { kind: "server_error" })]);
    const ok = await runtime.processMessage("c1", "hi");
    expect([ok.outcome, ok.cause]).toEqual(["ok", "completed"]);
    const lim = await runtime.processMessage("c2", "hi");
    expect([lim.outcome, lim.cause]).toEqual(["limit", "limit"]);
    const err = await runtime.processMessage("c3", "hi");
    expect([err.outcome, err.cause]).toEqual(["error", "provider_error"]);
    expect(await finishedOf(store, "c1")).toMatchObject({ outcome: "ok", cause: "completed" });
    expect(await finishedOf(store, "c3")).toMatchObject({ outcome: "error", cause: "provider_error" });
  });

  test("aborted by request, wall-time timeout, shutdown: told apart by cause, not by reason text", async () => {
    const hang = () => makeRuntime([say.text("x", { hang: true })]);
    const a = hang();
    const h = await a.runtime.start({ sessionKey: "a", text: "hi" });
    await until(() => a.runtime.runs().some((r) => r.state === "running"));
    a.runtime.abort({ sessionKey: "a" });
    expect((await h.done).cause).toBe("aborted");

    const t = makeRuntime([say.text("slow", { hang: true })], { limits: { maxWallMs: 20 } });
    const timed = await t.runtime.processMessage("t", "hi");
    expect([timed.outcome, timed.cause]).toEqual(["limit", "timeout"]);

    const s = hang();
    const seen: unknown[] = [];
    s.runtime.onEvent((e) => seen.push(e));
    const run = await s.runtime.start({ sessionKey: "s", text: "hi" });
    await until(() => s.runtime.runs().some((r) => r.state === "running"));
    await s.runtime.shutdown(0);
    const res = await run.done;
    expect([res.outcome, res.cause]).toEqual(["aborted", "shutdown"]);
    expect(seen.find((e) => (e as { type: string }).type === "final")).toMatchObject({ cause: "shutdown" });
    expect(await finishedOf(s.store, "s")).toMatchObject({ outcome: "aborted", cause: "shutdown" });
  });

  test("a storage failure under a run: clients get a safe message and the cause; the path and SQL go to the log", async () => {
    const path = join(dir, "broken", "openclaw.db");
    const store = await openStore(path);
    // the tool breaks the database under the run (another connection drops the events table)
    const breaker = defineTool({
      name: "breaker",
      description: "drops a table",
      schema: z.object({}),
      execute: () => {
        const other = new Database(path);
        other.exec("DROP TABLE events");
        other.close();
        return "done";
      },
    });
    const { runtime } = makeRuntime([say.tool("breaker", {}), say.text("never")]);
    runtime.withStore(store).withTools([breaker]);
    const logs: LogRecord[] = [];
    const off = onLog((r) => logs.push(r));
    const seen: unknown[] = [];
    runtime.onEvent((e) => seen.push(e));
    const res = await runtime.processMessage("s", "break it");
    off();
    expect([res.outcome, res.cause]).toEqual(["error", "storage_error"]);
    const errorEvent = seen.find((e) => (e as { type: string }).type === "error") as { cause: string; error: { type: string; message: string } };
    expect(errorEvent.cause).toBe("storage_error");
    expect(errorEvent.error.type).toBe("StorageError");
    expect(errorEvent.error.message).toContain(res.runId);
    const wire = JSON.stringify({ res, seen });
    expect(wire).not.toContain(dir);
    expect(wire).not.toContain("no such table");
    expect(JSON.stringify(logs)).toContain("no such table");
    await store.close();
  });
});
