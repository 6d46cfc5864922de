// `openclaw pairing …` with a real gateway process running: list, approve and deny go through the
// gateway's pairing.* RPC (source "gateway"), and the gateway's own view agrees at once.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { TOKEN } from "../gateway/helpers.ts";
import type { GatewayChild } from "../gateway/process.ts";
import { requestPairing } from "../../src/pairing/requests.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { makeHome, startGateway, stopGateway, type Home } from "./sessions-helpers.ts";

setDefaultTimeout(60_000); // each test runs CLI subprocesses (and a gateway) on a shared, noisy machine

let home: Home;
let gw: GatewayChild;
let codes: string[];

beforeAll(async () => {
  home = makeHome();
  const store = await openStore(join(home.stateDir, "state", "openclaw.db"));
  codes = [];
  for (const peer of ["601", "602"]) codes.push(((await requestPairing(store, "telegram", peer, { name: `P${peer}` })) as { code: string }).code);
  await store.close();
  gw = await startGateway(home);
}, 30_000);
afterAll(async () => {
  if (gw) await stopGateway(gw);
});

const rpc = async (method: string, params: unknown) => {
  const res = await fetch(`${gw.url}/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await res.json()) as { result?: any; error?: any };
};

test("pairing list/approve/deny go through the gateway", async () => {
  const list = home.json(["pairing", "list", "telegram"]);
  expect(list.code).toBe(0);
  expect(list.body.source).toBe("gateway");
  expect(list.body.requests.map((r: { code: string }) => r.code).sort()).toEqual([...codes].sort());

  const ok = home.json(["pairing", "approve", "telegram", codes[0]!.toLowerCase()]);
  expect(ok.code).toBe(0);
  expect(ok.body).toMatchObject({ source: "gateway", request: { peerId: "601", status: "approved" } });
  const no = home.json(["pairing", "deny", "telegram", codes[1]!]);
  expect(no.body).toMatchObject({ source: "gateway", request: { peerId: "602", status: "denied" } });

  const again = home.json(["pairing", "approve", "telegram", codes[0]!]);
  expect(again.code).toBe(1);
  expect(again.body.error.type).toBe("NotFoundError");
  for (const r of [list, ok, no, again]) expect(r.stderr).not.toMatch(/database is locked|SQLITE_BUSY/i);

  const all = await rpc("pairing.list", { channel: "telegram", all: true });
  expect(all.result.requests.map((r: { peerId: string; status: string }) => [r.peerId, r.status]).sort()).toEqual([["601", "approved"], ["602", "denied"]]);
});
