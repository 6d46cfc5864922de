import { expect, test } from "bun:test";
import { approvePairing, denyPairing, isPaired, listPairings, MAX_PENDING, PAIRING_TTL_MS, requestPairing } from "../../src/pairing/requests.ts";
import { NotFoundError } from "../../src/core/errors.ts";
import { MemoryStore } from "../../src/store/memory.ts";

test("codes: issued once per sender, at most 3 pending, expire after an hour", async () => {
  const store = new MemoryStore();
  const now = 1_000_000;
  const a = await requestPairing(store, "telegram", "1", {}, now);
  expect(a.status).toBe("created");
  const code = (a as { code: string }).code;
  expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
  const again = await requestPairing(store, "telegram", "1", {}, now + 5);
  expect(again).toMatchObject({ status: "existing", code });
  for (let i = 2; i <= MAX_PENDING; i++) expect((await requestPairing(store, "telegram", String(i), {}, now)).status).toBe("created");
  expect((await requestPairing(store, "telegram", "99", {}, now)).status).toBe("limited");
  // another channel has its own budget
  expect((await requestPairing(store, "other", "99", {}, now)).status).toBe("created");
  expect((await listPairings(store, "telegram", { now })).length).toBe(MAX_PENDING);
  // after an hour the slots free up and the old code is dead
  const later = now + PAIRING_TTL_MS + 1;
  expect((await listPairings(store, "telegram", { now: later })).length).toBe(0);
  expect((await requestPairing(store, "telegram", "99", {}, later)).status).toBe("created");
  await expect(approvePairing(store, "telegram", code, later)).rejects.toBeInstanceOf(NotFoundError);
});

test("approve and deny by code (case-insensitive); decisions stick", async () => {
  const store = new MemoryStore();
  const a = (await requestPairing(store, "telegram", "10")) as { code: string };
  const b = (await requestPairing(store, "telegram", "11")) as { code: string };
  expect(await isPaired(store, "telegram", "10")).toBe(false);
  const rec = await approvePairing(store, "telegram", a.code.toLowerCase());
  expect(rec.status).toBe("approved");
  expect(await isPaired(store, "telegram", "10")).toBe(true);
  await denyPairing(store, "telegram", b.code);
  expect(await isPaired(store, "telegram", "11")).toBe(false);
  expect((await requestPairing(store, "telegram", "11")).status).toBe("denied");
  expect((await requestPairing(store, "telegram", "10")).status).toBe("approved");
  await expect(approvePairing(store, "telegram", a.code)).rejects.toBeInstanceOf(NotFoundError);
  expect(await listPairings(store, "telegram")).toEqual([]);
  expect((await listPairings(store, "telegram", { all: true })).map((r) => r.status).sort()).toEqual(["approved", "denied"]);
});
