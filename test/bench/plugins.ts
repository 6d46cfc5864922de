// Benchmark: what plugins add. (1) one decision hook call (BeforeMessage through the dispatcher)
// with 0, 1 and 5 plugins subscribed — each plugin its own sandboxed process, so this is a JSON-RPC
// round trip over stdio per plugin; baseline: the dispatcher with nothing registered (the `has()`
// check callers make). (2) a whole agent turn (instant in-process provider, MemoryStore) with 0, 1
// and 5 plugins subscribed to BeforeMessage, AgentResponse and AfterMessage. Target: ≤ 0.3 ms p50
// per subscribed decision hook; 0 with none. Prints median / p99; not a pass/fail test.
// Run: node_modules/.bin/bun test/bench/plugins.ts
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HookDispatcher } from "../../src/agent/hooks.ts";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { configureLogging, createLogger } from "../../src/core/log.ts";
import { discoverPlugins } from "../../src/plugins/discover.ts";
import { PluginHost } from "../../src/plugins/host.ts";
import type { HostTarget } from "../../src/plugins/register.ts";
import { ScriptedProvider } from "../fakes/scripted-provider.ts";
import { quantile, timeEach } from "./measure.ts";

configureLogging({ level: "error" });
const root = mkdtempSync(join(tmpdir(), "bench-plugins-"));
const log = createLogger("bench");

function pluginDirs(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const dir = join(root, `p${n}-${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "openclaw.plugin.json"), JSON.stringify({ id: `bench${i}`, configSchema: {} }));
    writeFileSync(join(dir, "index.ts"), `import { definePlugin } from "openclaw-bun/plugin-sdk";
export default definePlugin({ id: "bench${i}", hooks: {
  beforeMessage: (e) => ({ text: e.text }),
  agentResponse: (e) => ({ text: e.text }),
  afterMessage: () => {},
} });\n`);
    return dir;
  });
}

async function host(n: number, target: HostTarget): Promise<PluginHost> {
  const config = ConfigSchema.parse({ plugins: { load: { paths: pluginDirs(n) } } });
  const state = join(root, `state-${n}-${Math.random()}`);
  mkdirSync(state, { recursive: true });
  const h = new PluginHost({ candidates: discoverPlugins({ config, configFile: join(root, "c.json"), stateDir: state }), targets: [target], stateDir: state, home: root, secretPaths: [], config: {}, log });
  await h.start();
  return h;
}

function line(name: string, times: number[]): number {
  times.sort((a, b) => a - b);
  const q = (p: number) => quantile(times, p);
  console.log(`${name.padEnd(56)} median ${(q(0.5) * 1000).toFixed(1).padStart(8)} µs   p99 ${(q(0.99) * 1000).toFixed(1).padStart(8)} µs`);
  return q(0.5);
}

const payload = { sessionKey: "s", agentId: "main", runId: "run_b", text: "hello" };
const baseline = new HookDispatcher(log);
line("baseline: BeforeMessage, nothing registered (has())", await timeEach(20_000, async () => baseline.has("BeforeMessage") && baseline.decide("BeforeMessage", payload)));
for (const n of [1, 5]) {
  const target = { hooks: new HookDispatcher(log), withTools: () => {}, toolSpecs: () => [] };
  const h = await host(n, target);
  const p50 = line(`BeforeMessage, ${n} plugin(s) subscribed`, await timeEach(5000, () => target.hooks.decide("BeforeMessage", payload)));
  console.log(`${"".padEnd(56)} = ${((p50 * 1000) / n).toFixed(1)} µs per subscribed plugin (target ≤ 300 µs)`);
  await h.stop();
}

for (const n of [0, 1, 5]) {
  const rt = new AgentRuntime(ScriptedProvider.instant("ok"));
  const h = n ? await host(n, rt) : undefined;
  line(`agent turn, ${n} plugin(s) on BeforeMessage+AgentResponse+AfterMessage`, await timeEach(2000, (i) => rt.processMessage(`b:${Math.floor(i / 10)}`, "hi")));
  await h?.stop();
  await rt.shutdown(100);
}
rmSync(root, { recursive: true, force: true });
