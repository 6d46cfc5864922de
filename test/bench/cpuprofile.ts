/**
 * Summarises a `.cpuprofile` (Chrome format, as written by `bun --cpu-prof`): the functions with
 * the most self time, and the project files with the most inclusive time. A benchmarking tool,
 * not a test. Run: `bun test/bench/cpuprofile.ts <file.cpuprofile> [top=30]`.
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: bun test/bench/cpuprofile.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArg ?? 30);
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<number, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^.*\/(src|test|node_modules)\//, "$1/");
  return `${n.callFrame.functionName || "(anonymous)"} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ""}`.trim();
};
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;

const selfByLabel = new Map<string, number>();
for (const [id, us] of self) {
  const l = label(byId.get(id)!);
  selfByLabel.set(l, (selfByLabel.get(l) ?? 0) + us);
}
console.log(`total ${(total / 1000).toFixed(0)} ms sampled\n\nself time:`);
for (const [l, us] of [...selfByLabel].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${l}`);

// inclusive time per project file: a sample counts once for every file on its stack
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const files = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const m = /\/((?:src|test)\/.*)$/.exec(byId.get(cur)!.callFrame.url);
    if (m) files.add(m[1]!);
  }
  for (const f of files) inclusive.set(f, (inclusive.get(f) ?? 0) + us);
}
console.log("\ninclusive time per project file:");
for (const [f, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${f}`);
