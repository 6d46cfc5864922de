// pairing.* over POST /rpc: the owner approves or denies a Telegram DM pairing through the gateway,
// using the same store records the bot writes and `openclaw pairing` reads.
import { afterAll, describe, expect, test } from "bun:test";
import { isPaired, requestPairing } from "../../src/pairing/requests.ts";
import { makeHarness } from "./helpers.ts";

const h = makeHarness();
afterAll(() => h.close());

describe("pairing RPC", () => {
  test("list shows pending requests; approve pairs the sender; the code is then gone from the list", async () => {
    const a = await requestPairing(h.store, "telegram", "1001", { username: "alice" });
    const b = await requestPairing(h.store, "telegram", "1002");
    if (a.status !== "created" || b.status !== "created") throw new Error("expected new codes");

    const listed = (await h.rpc("pairing.list", { channel: "telegram" })).result.requests;
    expect(listed.map((r: { peerId: string }) => r.peerId).sort()).toEqual(["1001", "1002"]);
    expect(listed.find((r: { peerId: string }) => r.peerId === "1001").code).toBe(a.code);

    const approved = await h.rpc("pairing.approve", { channel: "telegram", code: a.code.toLowerCase() });
    expect(approved.result.request).toMatchObject({ peerId: "1001", status: "approved" });
    expect(await isPaired(h.store, "telegram", "1001")).toBe(true);

    const after = (await h.rpc("pairing.list", { channel: "telegram" })).result.requests;
    expect(after.map((r: { peerId: string }) => r.peerId)).toEqual(["1002"]);
  });

  test("deny marks the request denied and never pairs the sender", async () => {
    const c = await requestPairing(h.store, "telegram", "2001");
    if (c.status !== "created") throw new Error("expected a new code");
    const denied = await h.rpc("pairing.deny", { channel: "telegram", code: c.code });
    expect(denied.result.request).toMatchObject({ peerId: "2001", status: "denied" });
    expect(await isPaired(h.store, "telegram", "2001")).toBe(false);
  });

  test("an unknown code is -32003 not found; bad params are -32602", async () => {
    const r = await h.rpc("pairing.approve", { channel: "telegram", code: "ZZZZZZZZ" });
    expect(r.error.code).toBe(-32003);
    expect(r.error.message).toContain("ZZZZZZZZ");
    expect((await h.rpc("pairing.approve", { channel: "telegram" })).error.code).toBe(-32602);
    expect((await h.rpc("pairing.list", { channel: "telegram", extra: 1 })).error.code).toBe(-32602);
  });
});
