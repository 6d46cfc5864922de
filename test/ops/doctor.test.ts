// The doctor's pure parts: the token strength heuristic, the /proc/net/tcp parser and the
// port-owner lookup against a socket this process holds.
import { expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { MIN_TOKEN_BITS, tokenBits } from "../../src/ops/checks/auth.ts";
import { listeningInodes, portOwner } from "../../src/ops/checks/port-owner.ts";

test.each([
  ["generated (32 bytes base64url)", randomBytes(32).toString("base64url"), true],
  ["32 bytes hex", randomBytes(32).toString("hex"), true],
  ["16 bytes hex", randomBytes(16).toString("hex"), false],
  ["a word", "correcthorsebatterystaple", false],
  ["one character repeated", "a".repeat(200), false],
  ["digits", "1234567890".repeat(3), false],
  ["long mixed passphrase", "Tr0ub4dor&3-" + randomBytes(40).toString("base64"), true],
])("tokenBits: %s", (_name, token, strong) => {
  expect(tokenBits(token) >= MIN_TOKEN_BITS).toBe(strong);
});

test("tokenBits never passes a token the gateway generates as weak (100 samples)", () => {
  for (let i = 0; i < 100; i++) expect(tokenBits(randomBytes(32).toString("base64url"))).toBeGreaterThanOrEqual(MIN_TOKEN_BITS);
});

test("32 random bytes in hex are strong even when some hex digits never occur (1,000 samples)", () => {
  // 64 random hex digits leave at least one of the 16 out about 2.6% of the time
  let missing = 0;
  for (let i = 0; i < 1000; i++) {
    const t = randomBytes(32).toString("hex");
    if (new Set(t).size < 16) missing++;
    expect(tokenBits(t)).toBeGreaterThanOrEqual(MIN_TOKEN_BITS);
  }
  expect(missing).toBeGreaterThan(0); // the case the old "all 16 present" rule failed did occur
});

const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:4965 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0
`;

test("listeningInodes: only LISTEN rows of that port", () => {
  expect(listeningInodes(TABLE, 0x4965)).toEqual(["111"]);
  expect(listeningInodes(TABLE, 8080)).toEqual(["333"]);
  expect(listeningInodes(TABLE, 9)).toEqual([]);
  expect(listeningInodes("", 80)).toEqual([]);
});

test("portOwner finds this process holding a listening socket, and null for a free port", async () => {
  if (process.platform !== "linux") return expect(portOwner(1)).toBeNull();
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  try {
    const owner = portOwner(port);
    expect(owner?.pid).toBe(process.pid);
    expect(owner?.comm.length).toBeGreaterThan(0);
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
  expect(portOwner(port)).toBeNull();
});

test("the daemon check: a unit running a binary whose path only starts with this one's is not this binary", async () => {
  const { daemonCheck } = await import("../../src/ops/checks/daemon.ts");
  const { doctorContext } = await import("../../src/ops/doctor.ts");
  const ctx = doctorContext({ execPath: "/opt/openclaw" });
  const unitPath = join(process.env.HOME!, ".config", "systemd", "user", "openclaw-gateway.service");
  mkdirSync(dirname(unitPath), { recursive: true });
  writeFileSync(unitPath, `[Service]\nExecStart="/opt/openclaw-old" "gateway" "run"\n`);
  expect(await daemonCheck.run(ctx)).toMatchObject({ id: "daemon", status: "warn", fix: expect.stringContaining("openclaw daemon install") });
  writeFileSync(unitPath, `[Service]\nExecStart="/opt/openclaw" "gateway" "run"\n`);
  expect(await daemonCheck.run(ctx)).toMatchObject({ id: "daemon", status: "ok" });
  rmSync(unitPath);
});
