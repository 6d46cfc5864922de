/**
 * The gateway's GC budget. JavaScriptCore sizes the garbage it lets pile up between collections from
 * the machine's RAM; on a server with gigabytes free a busy gateway's heap (cells and string buffers,
 * all in mimalloc's arena) grows far past what is live, and the allocator keeps those pages: measured
 * 274–310 MiB after 100,000 messages over 10,000 sessions with ~40 MiB live (docs/memory.md). Telling
 * JSC the machine has 128 MiB (`BUN_JSC_forceRAMSize`) makes it collect in proportion to what the
 * gateway holds: 162 MiB at the same point, +6.6% between 50k and 100k messages, for ~+20% CPU per
 * message in one A/B run (docs/memory.md). It is a sizing hint, not a limit: a larger live heap is
 * collected more often, never refused.
 *
 * JSC reads the variable once, at start, so `openclaw gateway run` re-executes itself (same pid,
 * `process.execve`) with it set. `OPENCLAW_HEAP_BUDGET_MB` changes the figure (0 = JSC's own sizing
 * from RAM); a `BUN_JSC_forceRAMSize` already in the environment is left alone.
 */
export const JSC_RAM_ENV = "BUN_JSC_forceRAMSize";
export const HEAP_BUDGET_ENV = "OPENCLAW_HEAP_BUDGET_MB";
export const DEFAULT_HEAP_BUDGET_MB = 128;

export interface Exec {
  path: string;
  args: string[];
  env: Record<string, string | undefined>;
}

/** The long-lived command: `gateway run` (the daemon's unit runs it too). */
export function isGatewayRun(argv: readonly string[]): boolean {
  // the user's arguments follow the script path (`bun src/main.ts …`) or the compiled binary's `/$bunfs/` entry
  return argv[2] === "gateway" && argv[3] === "run";
}

/**
 * What to execute instead of this process, or null to go on as is: not `gateway run`, the variable
 * already set, the budget 0, or a value that is not a whole number of MiB (then JSC's default, and
 * the gateway's start-up log says why).
 */
export function heapBudgetExec(argv: readonly string[], env: Record<string, string | undefined>, execPath: string): Exec | null {
  if (!isGatewayRun(argv) || env[JSC_RAM_ENV] !== undefined) return null;
  const raw = env[HEAP_BUDGET_ENV];
  const mb = raw === undefined || raw === "" ? DEFAULT_HEAP_BUDGET_MB : Number(raw);
  if (!Number.isInteger(mb) || mb <= 0 || mb > 1024 * 1024) return null;
  const compiled = argv[1]?.startsWith("/$bunfs/") || argv[1]?.startsWith("B:/~BUN/");
  const args = compiled ? [execPath, ...argv.slice(2)] : [execPath, ...argv.slice(1)];
  return { path: execPath, args, env: { ...env, [JSC_RAM_ENV]: String(mb * 1024 * 1024) } };
}

/** A bad OPENCLAW_HEAP_BUDGET_MB, for the start-up log; null when it is fine or unset. */
export function heapBudgetProblem(env: Record<string, string | undefined>): string | null {
  const raw = env[HEAP_BUDGET_ENV];
  if (raw === undefined || raw === "" || raw === "0") return null;
  const mb = Number(raw);
  if (Number.isInteger(mb) && mb > 0 && mb <= 1024 * 1024) return null;
  return `${HEAP_BUDGET_ENV}=${JSON.stringify(raw)} is not a whole number of MiB (1–1048576, or 0 for JSC's own sizing); the gateway runs with JSC's default heap sizing`;
}
