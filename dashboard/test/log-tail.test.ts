import { describe, expect, test } from "bun:test";
import { FakeGateway, settle } from "./fake-socket.ts";
import { createLogTail, MAX_RECORDS } from "../src/composables/log-tail.ts";

const rec = (i: number, level = "info", msg = `line ${i}`) => ({ ts: "2026-12-03T17:00:00.000Z", level, scope: "gateway", msg });

async function tail(initial = [rec(0)]) {
  const gw = new FakeGateway({ "logs.tail": () => ({ records: initial, following: true }) });
  const conn = gw.connection();
  const t = createLogTail(conn);
  conn.start();
  await settle();
  return { gw, t };
}

describe("log tail", () => {
  test("asks logs.tail to follow, then appends logs.record notifications (the params are the record)", async () => {
    const { gw, t } = await tail();
    expect(gw.sent[0]).toEqual({ method: "logs.tail", params: { lines: 200, follow: true } });
    gw.notify("logs.record", rec(1, "warn"));
    expect(t.records.value.map((r) => r.msg)).toEqual(["line 0", "line 1"]);
  });

  test("stays bounded at MAX_RECORDS, dropping the oldest", async () => {
    const { gw, t } = await tail();
    for (let i = 1; i <= MAX_RECORDS + 500; i++) gw.notify("logs.record", rec(i));
    expect(t.records.value.length).toBe(MAX_RECORDS);
    expect(t.records.value[0]!.msg).toBe("line 501");
    expect(t.records.value[MAX_RECORDS - 1]!.msg).toBe(`line ${MAX_RECORDS + 500}`);
  });

  test("pause holds new lines back (bounded) until resume", async () => {
    const { gw, t } = await tail();
    t.setPaused(true);
    gw.notify("logs.record", rec(1));
    gw.notify("logs.record", rec(2));
    expect(t.records.value.length).toBe(1);
    expect(t.queued.value).toBe(2);
    t.setPaused(false);
    expect(t.records.value.map((r) => r.msg)).toEqual(["line 0", "line 1", "line 2"]);
    expect(t.queued.value).toBe(0);
  });

  test("filters by level (that level and more severe) and by text", async () => {
    const { t } = await tail([rec(1, "error", "disk full"), rec(2, "warn", "slow client"), rec(3, "info", "listening"), rec(4, "debug", "rpc status")]);
    t.level.value = "warn";
    expect(t.visible.value.map((r) => r.level)).toEqual(["error", "warn"]);
    t.level.value = "all";
    t.search.value = "CLIENT";
    expect(t.visible.value.map((r) => r.msg)).toEqual(["slow client"]);
  });

  test("dispose (leaving the page) tells the gateway to stop following this connection", async () => {
    const { gw, t } = await tail();
    t.dispose();
    await settle();
    expect(gw.sent.filter((s) => s.method === "logs.tail").map((s) => s.params)).toEqual([{ lines: 200, follow: true }, { lines: 0, follow: false }]);
    gw.notify("logs.record", rec(1));
    expect(t.records.value.map((r) => r.msg)).toEqual(["line 0"]);
  });

  test("a reconnect asks for the tail again instead of keeping a gap", async () => {
    const { gw, t } = await tail([rec(7)]);
    gw.socket.drop(1006);
    await settle();
    gw.fire();
    await settle();
    expect(gw.sent.filter((s) => s.method === "logs.tail").length).toBe(2);
    expect(t.records.value.map((r) => r.msg)).toEqual(["line 7"]);
  });
});
