import { expect, test } from "bun:test";
import { requestPairing } from "../../src/pairing/requests.ts";
import { main } from "../../src/cli/index.ts";
import { openStore } from "../../src/store/sqlite.ts";

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
  try {
    const code = await main(["--json", ...args]);
    return { code, out: chunks.join("") };
  } finally {
    process.stdout.write = orig;
  }
}

test("openclaw pairing list/approve/deny work on the store without a gateway", async () => {
  const store = await openStore();
  const a = (await requestPairing(store, "telegram", "501", { name: "Ann" })) as { code: string };
  const b = (await requestPairing(store, "telegram", "502")) as { code: string };
  await store.close();

  const listed = await run(["pairing", "list", "telegram"]);
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.out).requests.map((r: { code: string }) => r.code).sort()).toEqual([a.code, b.code].sort());

  expect((await run(["pairing", "approve", "telegram", a.code.toLowerCase()])).code).toBe(0);
  expect((await run(["pairing", "deny", "telegram", b.code])).code).toBe(0);
  const again = await run(["pairing", "approve", "telegram", a.code]);
  expect(again.code).toBe(1);
  expect(JSON.parse(again.out).error.type).toBe("NotFoundError");
  expect((await run(["pairing", "list", "nope"])).code).toBe(2);

  const check = await openStore();
  expect((await check.pairingGet("telegram", "501"))?.status).toBe("approved");
  expect((await check.pairingGet("telegram", "502"))?.status).toBe("denied");
  await check.close();
});
