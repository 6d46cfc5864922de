// e2e: `openclaw gateway run` from the compiled binary re-executes itself (same pid) with JSC's GC
// budget in its environment (core/heap-budget.ts); OPENCLAW_HEAP_BUDGET_MB changes or disables it.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { TOKEN } from "../gateway/helpers.ts";
import { connectAuthed, startBinaryGateway, stopGateway } from "./binary-gateway.ts";
import { freshBinary } from "./fresh-binary.ts";

setDefaultTimeout(60_000);
let fake: FakeAnthropic;
beforeAll(async () => {
  freshBinary();
  fake = await startFakeAnthropic({ fallback: "echo" });
}, 300_000);
afterAll(async () => fake?.stop());

const config = () => ({
  gateway: { auth: { token: TOKEN } },
  models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-e2e-" + "k".repeat(24) } } },
  agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "standard" } } },
});

const environOf = (pid: number): Record<string, string> =>
  Object.fromEntries(readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));

async function budgetOf(env: Record<string, string>): Promise<{ environ: string | undefined; reported: unknown; answered: string }> {
  const gw = await startBinaryGateway(config(), { env });
  try {
    const ws = await connectAuthed(gw);
    const mem = (await ws.call("gateway.memory", {})).result as { jscRamSizeBytes: unknown };
    const r = (await ws.call("chat.send", { sessionKey: "agent:main:heap", text: "echo still serving" })).result;
    await ws.until(() => ws.events(r.runId).some((e) => e.type === "final"), 30_000);
    const final = ws.events(r.runId).find((e) => e.type === "final") as { text?: string };
    ws.close();
    return { environ: environOf(gw.proc.pid).BUN_JSC_forceRAMSize, reported: mem.jscRamSizeBytes, answered: final.text ?? "" };
  } finally {
    await stopGateway(gw);
  }
}

test("the spawned pid itself runs with a 128 MiB GC budget and serves turns", async () => {
  const b = await budgetOf({});
  expect(b.environ).toBe(String(128 * 1024 * 1024));
  expect(b.reported).toBe(128 * 1024 * 1024);
  expect(b.answered).toContain("still serving");
});

test("OPENCLAW_HEAP_BUDGET_MB=512 raises it; 0 leaves JSC's own sizing", async () => {
  expect((await budgetOf({ OPENCLAW_HEAP_BUDGET_MB: "512" })).reported).toBe(512 * 1024 * 1024);
  const off = await budgetOf({ OPENCLAW_HEAP_BUDGET_MB: "0" });
  expect(off.environ).toBeUndefined();
  expect(off.reported).toBeNull();
});
