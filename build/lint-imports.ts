// `npm run check` (after tsc): enforces the import direction of DESIGN.md.
//   core ← config ← store ← providers | tools | sandbox | pairing ← agent ← gateway | channels | plugins | daemon
//     ← app | ops ← cli ← main
// app/ is the composition root (builds store, runtimes, channels, gateway for `gateway run`);
// pairing/ is the pairing domain both the gateway's RPC and the channels use.
// A module may import its own folder, a folder to its left, or a peer in the same group. Also:
//   - agent/ never imports grammy or hono (nor gateway/, channels/, plugins/: to its right);
//   - grammy only in channels/, hono only in gateway/;
//   - the library surface stays importable from Node: no `bun:*` import in core/, config/,
//     providers/, tools/, agent/, or store/{memory,common,types}.ts.
// Prints file:line and the rule for each violation; exits 1 if there is any.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const root = join(import.meta.dir, "..");
const src = join(root, "src");

const RANK: Record<string, number> = {
  generated: 0, core: 0, config: 1, store: 2, providers: 3, tools: 3, sandbox: 3,
  pairing: 3, agent: 4, gateway: 5, channels: 5, plugins: 5, daemon: 5, ops: 6, app: 6, cli: 7, main: 8,
};
const ARROWS = "core ← config ← store ← providers | tools | sandbox | pairing ← agent ← gateway | channels | plugins | daemon ← app | ops ← cli ← main";
const NODE_SAFE = new Set(["core", "config", "providers", "tools", "agent"]);
const NODE_SAFE_FILES = new Set(["store/memory.ts", "store/common.ts", "store/types.ts"]);

export interface Violation {
  file: string;
  line: number;
  rule: string;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function layerOf(absPath: string): string | null {
  const rel = relative(src, absPath);
  if (rel.startsWith("..")) return null;
  const first = rel.split(sep)[0]!;
  if (first === rel) return "main"; // a file directly in src/
  return first;
}

const SPEC = /(?:\bimport|\bexport)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/g;

/** Import specifiers with line numbers; line comments are blanked first so commented-out code is ignored. */
export function importsOf(text: string): { spec: string; line: number }[] {
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " ")).replace(/(^|[^:"'`])\/\/[^\n]*/g, (m, p: string) => p + " ".repeat(m.length - p.length));
  const out: { spec: string; line: number }[] = [];
  for (const m of clean.matchAll(SPEC)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    out.push({ spec, line: clean.slice(0, m.index).split("\n").length });
  }
  return out;
}

export function checkFile(file: string, text: string): Violation[] {
  const from = layerOf(file);
  if (!from || RANK[from] === undefined) return [];
  const relFile = relative(src, file).split(sep).join("/");
  const v: Violation[] = [];
  const add = (line: number, rule: string) => v.push({ file: relative(root, file), line, rule });
  for (const { spec, line } of importsOf(text)) {
    if (spec.startsWith(".")) {
      const to = layerOf(resolve(dirname(file), spec));
      if (!to || to === from) continue;
      if (RANK[to] === undefined) continue;
      if (RANK[to]! > RANK[from]!) add(line, `${from}/ may not import ${to === "main" ? "src/main.ts" : to + "/"} (arrows point one way: ${ARROWS})`);
      continue;
    }
    const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
    if (pkg === "grammy" && from !== "channels") add(line, `grammy may only be imported under channels/ (${from}/ must reach Telegram through a channel)`);
    if (pkg === "hono" && from !== "gateway") add(line, `hono may only be imported under gateway/`);
    if (spec.startsWith("bun:") && (NODE_SAFE.has(from) || NODE_SAFE_FILES.has(relFile))) {
      add(line, `${relFile} is part of the library surface and must load under Node: no ${spec} import`);
    }
  }
  return v;
}

export function lint(): Violation[] {
  return walk(src).flatMap((f) => checkFile(f, readFileSync(f, "utf8")));
}

if (import.meta.main) {
  const violations = lint();
  for (const x of violations) console.error(`${x.file}:${x.line}: ${x.rule}`);
  if (violations.length > 0) {
    console.error(`lint-imports: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log("lint-imports: ok");
}
