// Benchmark: the cost of one sandboxed exec of `true` at each level (off, standard, strict), next
// to a plain spawn of /bin/true in the same run; and a file read through the sandbox file facade
// next to a plain fs.readFile. Prints median / p99 / RSS; not a pass/fail test.
// Run: node_modules/.bin/bun test/bench/sandbox.ts
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureLogging } from "../../src/core/log.ts";
import { createSandboxExecutor } from "../../src/sandbox/create-executor.ts";
import type { Executor } from "../../src/sandbox/executor.ts";

configureLogging({ level: "error" });
const root = realpathSync(mkdtempSync(join(tmpdir(), "bench-sandbox-")));
const home = join(root, "home");
const state = join(home, ".openclaw");
mkdirSync(state, { recursive: true });
const mib = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);

function line(name: string, times: number[]): void {
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  const fmt = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`).padStart(10);
  console.log(`${name.padEnd(44)} median ${fmt(q(0.5))}   p99 ${fmt(q(0.99))}   rss ${mib()} MiB`);
}

async function timeEach(n: number, warm: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warm; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

const plainTrue = () =>
  new Promise<void>((resolve, reject) => {
    const c = spawn("/bin/true", [], { stdio: "ignore", env: {} });
    c.once("error", reject);
    c.once("exit", () => resolve());
  });

const executors: [string, Executor][] = (["off", "standard", "strict"] as const).map((level) => [
  level,
  createSandboxExecutor({ level }, { home, stateDir: state, workspace: join(state, `ws-${level}`) }),
]);
for (const [, ex] of executors) {
  const s = await ex.status();
  if (!s.ok) throw new Error(`${ex.level}: ${s.reason}`);
}

console.log(`exec of \`true\` (50 runs each, 5 warm-up; ${process.platform} ${process.arch}, bun ${Bun.version})`);
line("baseline: plain spawn /bin/true", await timeEach(50, 5, plainTrue));
for (const [level, ex] of executors) line(`exec at ${level}`, await timeEach(50, 5, () => ex.exec({ command: "true" })));

const ws = executors[1]![1].fs.root;
writeFileSync(join(ws, "file.txt"), "x".repeat(4096));
mkdirSync(join(ws, "a", "b", "c"), { recursive: true });
writeFileSync(join(ws, "a", "b", "c", "deep.txt"), "y".repeat(4096));
const fsx = executors[1]![1].fs;
console.log("\nfile read, 4 KiB (500 runs each, 50 warm-up)");
line("baseline: fs.readFile", await timeEach(500, 50, () => readFile(join(ws, "file.txt"))));
line("sandbox fs.readFile", await timeEach(500, 50, () => fsx.readFile("file.txt")));
line("baseline: fs.readFile a/b/c/deep.txt", await timeEach(500, 50, () => readFile(join(ws, "a/b/c/deep.txt"))));
line("sandbox fs.readFile a/b/c/deep.txt", await timeEach(500, 50, () => fsx.readFile("a/b/c/deep.txt")));

rmSync(root, { recursive: true, force: true });
