// Benchmark: the tool layer's own cost. Prints median / p99 / RSS next to a baseline measured in
// the same run. Not a pass/fail test. Run: node_modules/.bin/bun test/bench/tools.ts
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureLogging } from "../../src/core/log.ts";
import { resolveSandbox } from "../../src/sandbox/config.ts";
import { HostExecutor } from "../../src/sandbox/host.ts";
import { runProcess } from "../../src/sandbox/spawn.ts";
import { grepTool } from "../../src/tools/grep.ts";
import { readTool } from "../../src/tools/read.ts";
import type { ToolContext } from "../../src/tools/types.ts";
import { measure as timed } from "./measure.ts";

const measure = (name: string, n: number, fn: () => Promise<unknown> | unknown) => timed(name, n, fn, { width: 44 });

configureLogging({ level: "error" });
const dir = realpathSync(mkdtempSync(join(tmpdir(), "bench-tools-")));
const cfg = resolveSandbox({ level: "off" }, { workspace: join(dir, "ws"), home: join(dir, "home"), stateDir: join(dir, "state") });
const ex = new HostExecutor(cfg, { hostEnv: { PATH: "/usr/bin:/bin" } });
const ctx: ToolContext = { sessionKey: "b", runId: "r", toolCallId: "c", executor: ex, signal: new AbortController().signal, settings: { webFetch: { maxBytes: 1e6, allowPrivateNetwork: false } } };

const file = join(cfg.workspace, "file.txt");
writeFileSync(file, Array.from({ length: 300 }, (_, i) => `line ${i} some text to read`).join("\n"));
for (let i = 0; i < 500; i++) {
  mkdirSync(join(cfg.workspace, "tree", String(i % 20)), { recursive: true });
  writeFileSync(join(cfg.workspace, "tree", String(i % 20), `f${i}.ts`), `export const v${i} = ${i};\n// TODO item ${i}\n`.repeat(10));
}


const rawSpawn = () =>
  new Promise<void>((resolve) => {
    const c = spawn("/bin/true", [], { stdio: "ignore" });
    c.on("close", () => resolve());
  });

console.log(`tools benchmark (${process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.version}`})`);
await measure("baseline: child_process.spawn /bin/true", 50, rawSpawn);
await measure("runProcess /bin/true", 50, () => runProcess({ argv: ["/bin/true"], cwd: dir, env: { PATH: "/usr/bin:/bin" }, timeoutMs: 5000, outputBytes: 65536 }));
await measure("HostExecutor.exec('true') (rlimit wrapper)", 50, () => ex.exec({ command: "true" }));
await measure("baseline: readFileSync 300-line file", 500, () => readFileSync(file, "utf8"));
await measure("fs.readFile via SandboxFs (checks + pinning)", 500, () => ex.fs.readFile("file.txt"));
await measure("read tool (300 lines, numbered)", 500, () => readTool().run({ path: "file.txt" }, ctx));
await measure("grep tool over 500 files (5,000 lines)", 20, () => grepTool().run({ pattern: "TODO item 4\\d\\d" }, ctx));
const before = process.memoryUsage().rss;
await runProcess({ argv: ["yes"], cwd: dir, env: { PATH: "/usr/bin:/bin" }, timeoutMs: 30_000, outputBytes: 1 << 20, drainLimitBytes: 256 << 20 });
console.log(`yes flood: 256 MiB read with a 1 MiB cap → RSS change ${((process.memoryUsage().rss - before) / 2 ** 20).toFixed(1)} MiB`);
